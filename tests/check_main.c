/* tests/check_main.c — the one Check runner: every module's suite, one report.
 * CK_FORK=no works (valgrind); CK_RUN_SUITE / CK_RUN_CASE select as usual. */
#include <stdlib.h>

#include "tests/suites.h"

int main(void)
{
    SRunner *sr = srunner_create(make_core_suite());
    srunner_add_suite(sr, make_workload_suite());
    srunner_add_suite(sr, make_qsetting_suite());
    srunner_add_suite(sr, make_safetensors_suite());
    srunner_add_suite(sr, make_weights_suite());
    srunner_add_suite(sr, make_dataset_suite());
    srunner_add_suite(sr, make_quantizer_suite());
    srunner_add_suite(sr, make_engine_suite());
    srunner_add_suite(sr, make_golden_suite());
    srunner_add_suite(sr, make_arch_suite());
    srunner_add_suite(sr, make_cost_suite());
    srunner_add_suite(sr, make_report_suite());
    srunner_add_suite(sr, make_context_suite());
    /* the issue-11 accuracy bounds on the shipped Fashion-MNIST model: run on their own by
     * tests/fashion_bounds.sh, an expected failure until that model is retrained (Makefile.am) */
    if (getenv("MYELIN_FASHION_BOUNDS"))
        srunner_add_suite(sr, make_fashion_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
