/* cli/common.c — argument helpers every subcommand shares: strict number parsing and the
 * workload argument (a file, or a zoo name found in the data folders). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/util.h"
#include "cli/cli.h"
#include "workloads/workload.h"

int myelin_cli_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int myelin_cli_resolve_workload(const char *arg, char *out, size_t n, myelin_error *err)
{
    return myelin_workload_resolve(arg, out, n, err);
}

int myelin_cli_parse_count(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v <= 0)
        return -1;
    *out = v;
    return 0;
}

int myelin_cli_parse_seed(const char *s, uint64_t *out)
{
    return myelin_parse_u64(s, out);
}

int myelin_cli_parse_rate(const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !(v >= 0 && v <= 1))
        return -1;
    *out = v;
    return 0;
}
