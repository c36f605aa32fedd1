/* cli/cmd_dataset.c — `myelin dataset info|export`: inspect a dataset (count, shape, classes, class
 * histogram, streamed) and write any dataset as IDX files (the bridge to PyTorch training). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "workloads/dataset.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: myelin dataset info SPEC [--quiet]\n"
               "       myelin dataset export SPEC --images FILE --labels FILE [--limit N] [--quiet]\n\n"
               "SPEC is a CIFAR-10 binary list (data_batch_1.bin,data_batch_2.bin), an IDX images file\n"
               "(IMAGES[:LABELS]), or synthetic:split=train|test,count=N,seed=S[,h=16,w=16,c=3,classes=10].\n"
               "export writes IDX: images N x H x W x C (magic 0x00000804), labels N (0x00000801), atomically.\n\n"
               "  --images FILE   images IDX file to write\n"
               "  --labels FILE   labels IDX file to write\n"
               "  --limit N       at most N images\n"
               "  -q, --quiet     accepted by every command (dataset prints no notes anyway)\n"
               "  -h, --help      this text\n");
}

static int do_info(const char *spec)
{
    myelin_error err;
    myelin_error_clear(&err);
    myelin_dataset *ds;
    int rc = myelin_dataset_open(spec, &ds, &err);
    if (rc)
        return myelin_cli_fail("dataset", &err);
    myelin_dataset_info in;
    myelin_dataset_info_get(ds, &in);
    int64_t *hist = calloc((size_t)in.classes + 1, sizeof *hist);
    uint8_t *px = malloc((size_t)in.c * in.h * in.w);
    if (!hist || !px) {
        free(hist);
        free(px);
        myelin_dataset_close(ds);
        myelin_error_set(&err, MYELIN_ENOMEM, spec, 0, 0, "out of memory");
        return myelin_cli_fail("dataset", &err);
    }
    int label;
    while ((rc = myelin_dataset_next(ds, px, &label, &err)) == 1)
        hist[label < in.classes ? label : in.classes]++;
    if (rc == 0) {
        printf("dataset      %s\nimages       %" PRId64 "\nshape        %d x %d x %d (C x H x W)\nclasses      %d\n"
               "class  images\n",
               in.description, in.count, in.c, in.h, in.w, in.classes);
        for (int k = 0; k < in.classes; k++)
            printf("%5d  %" PRId64 "\n", k, hist[k]);
    }
    free(hist);
    free(px);
    myelin_dataset_close(ds);
    return rc < 0 ? myelin_cli_fail("dataset", &err) : 0;
}

int myelin_cmd_dataset(int argc, char **argv)
{
    static const struct option opts[] = {
        {"images", required_argument, NULL, 'i'}, {"labels", required_argument, NULL, 'l'},
        {"limit", required_argument, NULL, 'n'},  {"help", no_argument, NULL, 'h'},
        {"quiet", no_argument, NULL, 'q'},        {NULL, 0, NULL, 0},
    };
    const char *images = NULL, *labels = NULL;
    long long limit = 0;
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        char *end;
        switch (ch) {
        case 'q': break;
        case 'i': images = optarg; break;
        case 'l': labels = optarg; break;
        case 'n':
            limit = strtoll(optarg, &end, 10);
            if (*end || limit < 1) {
                fprintf(stderr, "myelin dataset: --limit expects a positive integer (got '%s')\n", optarg);
                return 64;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 64;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, "myelin dataset: expected an action (info or export) and a dataset spec "
                        "(got %d argument%s)\n", argc - optind, argc - optind == 1 ? "" : "s");
        usage(stderr);
        return 64;
    }
    const char *action = argv[optind], *spec = argv[optind + 1];
    if (strcmp(action, "info") == 0)
        return do_info(spec);
    if (strcmp(action, "export") != 0) {
        fprintf(stderr, "myelin dataset: unknown action '%s' (expected info or export)\n", action);
        return 64;
    }
    if (!images || !labels) {
        fprintf(stderr, "myelin dataset export: --images and --labels are required\n");
        return 64;
    }
    if (strcmp(images, labels) == 0) {
        fprintf(stderr, "myelin dataset export: --images and --labels name the same file '%s'\n", images);
        return 64;
    }
    if (strcmp(images, labels) == 0) {
        fprintf(stderr, "myelin dataset export: --images and --labels name the same file '%s'\n", images);
        return 64;
    }
    myelin_error err;
    myelin_error_clear(&err);
    myelin_dataset *ds;
    if (myelin_dataset_open(spec, &ds, &err) != 0)
        return myelin_cli_fail("dataset", &err);
    int rc = myelin_dataset_write_idx(ds, images, labels, limit, &err);
    myelin_dataset_close(ds);
    return rc ? myelin_cli_fail("dataset", &err) : 0;
}
