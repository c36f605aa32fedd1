/* fuzz/fuzz_activity.c — the activity JSON reader (`myelin run --json` output read back by cost). */
#include "fuzz/fuzz_common.h"
#include "models/cost.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    myelin_activity act;
    myelin_error err;
    if (myelin_activity_parse_json((const char *)data, size, "fuzz-activity.json", fuzz_tiny(), &act,
                                   &err) == 0) {
        for (int i = 0; i < act.n_layers; i++)
            if (!(act.rate[i] >= 0))
                abort(); /* the reader promises finite, non-negative rates */
        myelin_activity_free(&act);
    }
    return 0;
}
