/* tests/check_search_main.c — the runner of the search suite (a test program of its own, so the
 * search module builds and tests apart from the rest).  CK_FORK=no works (valgrind). */
#include <check.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>

Suite *make_search_suite(void);

int main(void)
{
    gsl_set_error_handler_off();
    SRunner *sr = srunner_create(make_search_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
