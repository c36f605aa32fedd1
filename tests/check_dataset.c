/* tests/check_dataset.c — PLACEHOLDER: the dataset suite is being written; replace this file. */
#include "tests/suites.h"

Suite *make_dataset_suite(void)
{
    return suite_create("dataset");
}
