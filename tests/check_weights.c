/* tests/check_weights.c — PLACEHOLDER: the weights suite is being written; replace this file. */
#include "tests/suites.h"

Suite *make_weights_suite(void)
{
    return suite_create("weights");
}
