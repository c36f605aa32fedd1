#!/bin/sh
# tests/cli.sh — PLACEHOLDER: end-to-end checks of the myelin command.
exit 0
