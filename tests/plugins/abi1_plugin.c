/* tests/plugins/abi1_plugin.c — a cost-model plugin as ABI 1 built them (it exports
 * myelin_cost_plugin_v1 with abi_version 1): the loader must refuse it before running any of its
 * code, saying it needs a rebuild (tests/check_cost.c).  Its constructor would abort if it ran. */
#include <stddef.h>
#include <stdlib.h>

struct abi1_model {
    int abi_version;
    const char *name;
    int layer_kind;
    const char *description;
    int (*count)(const void *in, void *out, char *errbuf, size_t errlen);
};

static int count_nothing(const void *in, void *out, char *errbuf, size_t errlen)
{
    (void)in;
    (void)out;
    (void)errbuf;
    (void)errlen;
    return 0;
}

__attribute__((constructor)) static void must_not_run(void)
{
    abort();
}

const struct abi1_model myelin_cost_plugin_v1 = {1, "abi1-linear", 1, "an ABI-1 plugin", count_nothing};
