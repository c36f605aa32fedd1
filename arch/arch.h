/* arch/arch.h — PLACEHOLDER (issue 3): being written; replace this file. */
#ifndef MYELIN_ARCH_ARCH_H
#define MYELIN_ARCH_ARCH_H
#endif
