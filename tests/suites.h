/* tests/suites.h — one Check suite per module; tests/check_main.c runs them all. */
#ifndef MYELIN_TESTS_SUITES_H
#define MYELIN_TESTS_SUITES_H

#include <check.h>

Suite *make_core_suite(void);
Suite *make_workload_suite(void);
Suite *make_qsetting_suite(void);
Suite *make_safetensors_suite(void);
Suite *make_weights_suite(void);
Suite *make_dataset_suite(void);
Suite *make_quantizer_suite(void);
Suite *make_engine_suite(void);
Suite *make_golden_suite(void);
Suite *make_arch_suite(void);
Suite *make_cost_suite(void);
Suite *make_report_suite(void);
Suite *make_fashion_suite(void);
Suite *make_context_suite(void);

/* Path of a file in the source tree (fixtures) / build tree (scratch): static buffer per call site
 * is not safe, so these write into out. */
#define TEST_SRC(out, rel) snprintf((out), sizeof(out), "%s/%s", MYELIN_TEST_SRCDIR, (rel))
#define TEST_BUILD(out, rel) snprintf((out), sizeof(out), "%s/%s", MYELIN_TEST_BUILDDIR, (rel))

#endif
