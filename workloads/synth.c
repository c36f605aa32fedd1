/* workloads/synth.c — PLACEHOLDER being written; replace this file. */
typedef int myelin_placeholder_synth;
