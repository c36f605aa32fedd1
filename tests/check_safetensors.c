/* tests/check_safetensors.c — PLACEHOLDER: the safetensors suite is being written; replace this file. */
#include "tests/suites.h"

Suite *make_safetensors_suite(void)
{
    return suite_create("safetensors");
}
