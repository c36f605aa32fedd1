/* tests/check_sim_main.c — runner of the SystemC model's suite (a separate program: every test
 * runs in its own forked process because SystemC elaborates one netlist per process, so this
 * suite needs CK_FORK=yes, Check's default). */
#include <check.h>
#include <stdlib.h>

Suite *make_sim_suite(void);

int main(void)
{
    SRunner *sr = srunner_create(make_sim_suite());
    if (srunner_fork_status(sr) == CK_NOFORK) {
        srunner_free(sr);
        return 77; /* skipped: cannot run without fork */
    }
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
