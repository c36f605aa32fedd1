/* workloads/embedded.h — files compiled into the binary by tools/bin2c (see Makefile.am): the tiny
 * default model, so `myelin` with no arguments runs without any file on disk.  Each array is the
 * file's bytes followed by a NUL; _len excludes the NUL. */
#ifndef MYELIN_WORKLOADS_EMBEDDED_H
#define MYELIN_WORKLOADS_EMBEDDED_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

extern const unsigned char myelin_embedded_tiny_yaml[];   /* workloads/zoo/tiny.yaml */
extern const size_t myelin_embedded_tiny_yaml_len;
extern const unsigned char myelin_embedded_tiny_weights[]; /* workloads/zoo/tiny.safetensors */
extern const size_t myelin_embedded_tiny_weights_len;

#ifdef __cplusplus
}
#endif
#endif
