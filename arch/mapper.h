/* arch/mapper.h — PLACEHOLDER (issue 3): being written; replace this file. */
#ifndef MYELIN_ARCH_MAPPER_H
#define MYELIN_ARCH_MAPPER_H
#endif
