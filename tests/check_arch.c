/* tests/check_arch.c — the architecture suite: presets, the bad-architecture corpus
 * (tests/data/bad_arch/), the mapper (hand cases, fit errors, widths) and mean hop distances. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "arch/mapper.h"
#include "tests/suites.h"

/* A valid architecture: 4 x 4 cores, 1,024 neurons, 64 KB synapse memory, 4 KB membranes. */
static const char *base_arch =
    "name: base\n"
    "array: {rows: 4, cols: 4}\n"
    "clock_mhz: 100\n"
    "core:\n"
    "  neuron_capacity: 1024\n"
    "  synapse_memory: {bytes: 65536, word_bits: 64, banks: 1}\n"
    "  membrane_memory_bytes: 4096\n"
    "  accumulator_lanes: 4\n"
    "  weight_bits: [float, 4, 8]\n"
    "  membrane_bits: [float, 16]\n"
    "noc: {routing: xy, hop_latency_cycles: 1, link_width_bits: 32}\n"
    "energy:\n"
    "  mac_real: {pj: 4.6, source: \"h\"}\n"
    "  synaptic_op: {nj: 0.0009, source: \"h\"}\n"
    "  add_int_bits: {fj: 3.125, source: \"h\"}\n"
    "  add_float: {pj: 0, source: \"h\"}\n"
    "  shift_add_bits: {pj: 0, source: \"h\"}\n"
    "  sram_read_bits: {pj: 0, source: \"h\"}\n"
    "  membrane_rw_bits: {pj: 0, source: \"h\"}\n"
    "  neuron_update_active: {pj: 0, source: \"h\"}\n"
    "  neuron_update_idle: {pj: 0, source: \"h\"}\n"
    "  spike_packet: {pj: 0, source: \"h\"}\n"
    "  router_hop_x: {pj: 0, source: \"h\"}\n"
    "  router_hop_y: {pj: 0, source: \"h\"}\n"
    "  leakage_core_cycles: {mw: 1, source: \"h\"}\n";

static myelin_arch *load_base(void)
{
    myelin_arch *a = NULL;
    myelin_error err;
    int rc = myelin_arch_load_string(base_arch, "/somewhere/base.yaml", &a, &err);
    ck_assert_msg(rc == 0, "base arch: %s", err.message);
    return a;
}

START_TEST(test_base_values)
{
    myelin_arch *a = load_base();
    ck_assert_str_eq(a->name, "base");
    ck_assert_int_eq(a->rows, 4);
    ck_assert_int_eq(a->cols, 4);
    ck_assert_double_eq_tol(a->clock_hz, 100e6, 1e-3);
    ck_assert_int_eq(a->core.neuron_capacity, 1024);
    ck_assert_int_eq(a->core.synapse_memory_bytes, 65536);
    ck_assert_int_eq(a->core.synapse_word_bits, 64);
    /* unit conversions: nJ, fJ, and leakage power 1 mW at 100 MHz = 10 pJ per core-cycle */
    ck_assert_double_eq_tol(a->prices[MYELIN_ACT_SYNAPTIC_OP].pj, 0.9, 1e-12);
    ck_assert_double_eq_tol(a->prices[MYELIN_ACT_ADD_INT_BITS].pj, 0.003125, 1e-15);
    ck_assert_double_eq_tol(a->prices[MYELIN_ACT_LEAKAGE_CORE_CYCLES].pj, 10.0, 1e-9);
    ck_assert_str_eq(a->prices[MYELIN_ACT_MAC_REAL].source, "h");
    ck_assert_int_eq(a->prices[MYELIN_ACT_MAC_REAL].line, 13);
    ck_assert(myelin_arch_weight_bits_ok(a, 0));
    ck_assert(myelin_arch_weight_bits_ok(a, 4));
    ck_assert(!myelin_arch_weight_bits_ok(a, 2));
    ck_assert(!myelin_arch_weight_bits_ok(a, 17));
    ck_assert(myelin_arch_membrane_bits_ok(a, 16));
    ck_assert(!myelin_arch_membrane_bits_ok(a, 8));
    for (int k = 0; k < MYELIN_LAYER_KIND_COUNT; k++)
        ck_assert_str_eq(a->cost_model[k], "builtin");
    ck_assert_str_eq(a->dir, "/somewhere");
    myelin_arch_free(a);
}
END_TEST

/* The presets: each loads, and the prices the papers define are the published numbers. */
static const struct {
    const char *name;
    myelin_action act;
    double pj;
} preset_prices[] = {
    {"paper-45nm", MYELIN_ACT_MAC_REAL, 4.6},
    {"paper-45nm", MYELIN_ACT_SYNAPTIC_OP, 0.9},
    {"paper-45nm", MYELIN_ACT_SRAM_READ_BITS, 0.0},
    {"paper-45nm", MYELIN_ACT_LEAKAGE_CORE_CYCLES, 0.0},
    {"loihi-like", MYELIN_ACT_SYNAPTIC_OP, 23.6},
    {"loihi-like", MYELIN_ACT_NEURON_UPDATE_ACTIVE, 81.0},
    {"loihi-like", MYELIN_ACT_NEURON_UPDATE_IDLE, 52.0},
    {"loihi-like", MYELIN_ACT_SPIKE_PACKET, 1.7},
    {"loihi-like", MYELIN_ACT_ROUTER_HOP_X, 3.0},
    {"loihi-like", MYELIN_ACT_ROUTER_HOP_Y, 4.0},
    {"generic-45nm", MYELIN_ACT_SRAM_READ_BITS, 20.0 / 64},
    {"generic-45nm", MYELIN_ACT_ADD_INT_BITS, 0.1 / 32},
    {"generic-45nm", MYELIN_ACT_LEAKAGE_CORE_CYCLES, 50e-6 / 200e6 * 1e12},
};

START_TEST(test_preset_prices)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/arch/presets/%s.yaml", MYELIN_TEST_SRCDIR, preset_prices[_i].name);
    myelin_arch *a = NULL;
    myelin_error err;
    ck_assert_msg(myelin_arch_load(path, &a, &err) == 0, "%s: %s", path, err.message);
    ck_assert_str_eq(a->name, preset_prices[_i].name);
    ck_assert_double_eq_tol(a->prices[preset_prices[_i].act].pj, preset_prices[_i].pj, 1e-12);
    for (int i = 0; i < MYELIN_ACT_COUNT; i++)
        ck_assert_msg(a->prices[i].source[0], "%s: %s has no source", preset_prices[_i].name,
                      myelin_action_name((myelin_action)i));
    myelin_arch_free(a);
}
END_TEST

START_TEST(test_resolve_preset)
{
    char path[1024];
    myelin_error err;
    setenv("MYELIN_SRCDIR", MYELIN_TEST_SRCDIR, 1);
    ck_assert_int_eq(myelin_arch_resolve("loihi-like", path, sizeof path, &err), 0);
    ck_assert_ptr_nonnull(strstr(path, "arch/presets/loihi-like.yaml"));
    ck_assert_int_eq(myelin_arch_resolve("no-such-preset", path, sizeof path, &err), MYELIN_EMISSING);
    ck_assert_ptr_nonnull(strstr(err.message, "no-such-preset"));
    ck_assert_int_eq(myelin_arch_resolve("./missing/file.yaml", path, sizeof path, &err),
                     MYELIN_EMISSING);
}
END_TEST

/* The bad-architecture corpus: each file, its error code, position and a message fragment.
 * missing_plugin.yaml and unknown_cost_model.yaml parse; the cost suite checks them. */
static const struct {
    const char *file;
    int code, line, column;
    const char *fragment;
} bad[] = {
    {"missing_noc.yaml", MYELIN_EMISSING, 1, 1, "missing required key 'noc' in the architecture"},
    {"missing_price.yaml", MYELIN_EMISSING, 13, 3, "missing required key 'router_hop_y' in energy"},
    {"negative_size.yaml", MYELIN_ESCHEMA, 6, 27,
     "core.synapse_memory.bytes: expected an integer between 1 and 2147483647 (got -1)"},
    {"zero_rows.yaml", MYELIN_ESCHEMA, 2, 15, "array.rows: expected an integer between 1 and 4096 (got 0)"},
    {"unknown_key.yaml", MYELIN_ESCHEMA, 5, 3,
     "unknown key 'nueron_capacity' in core (did you mean 'neuron_capacity'?)"},
    {"unknown_layer_kind.yaml", MYELIN_ESCHEMA, 26, 15,
     "unknown key 'lineer' in cost_models (did you mean 'linear'?)"},
    {"unsupported_weight_bits.yaml", MYELIN_ESCHEMA, 9, 27, "core.weight_bits: unsupported bit width '17'"},
    {"unsupported_membrane_bits.yaml", MYELIN_ESCHEMA, 10, 26, "core.membrane_bits: unsupported bit width '1'"},
    {"price_bare_number.yaml", MYELIN_ESCHEMA, 14, 16, "energy.synaptic_op: a price needs its unit"},
    {"price_no_unit.yaml", MYELIN_ESCHEMA, 14, 16, "price without a unit (expected one of pj:, fj:, nj:)"},
    {"price_no_source.yaml", MYELIN_EMISSING, 14, 16, "missing required key 'source' in energy.synaptic_op"},
    {"power_unit_not_leakage.yaml", MYELIN_ESCHEMA, 22, 22, "power units (mw, uw) only apply to leakage"},
    {"routing_yx.yaml", MYELIN_ESCHEMA, 11, 16, "noc.routing: expected one of xy (got yx)"},
    {"duplicate_key.yaml", MYELIN_ESCHEMA, 4, 1, "duplicate key 'clock_mhz'"},
    {"syntax_error.yaml", MYELIN_ESYNTAX, 3, 10, "did not find expected ',' or '}'"},
    {"no_such_file.yaml", MYELIN_EIO, 0, 0, ""},
};

START_TEST(test_bad_corpus)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/bad_arch/%s", MYELIN_TEST_SRCDIR, bad[_i].file);
    myelin_arch *a = (myelin_arch *)&a; /* must be reset to NULL */
    myelin_error err;
    int rc = myelin_arch_load(path, &a, &err);
    ck_assert_ptr_null(a);
    if (bad[_i].code == MYELIN_EIO)
        ck_assert_msg(rc == MYELIN_EIO || rc == MYELIN_EMISSING, "%s: got %d", bad[_i].file, rc);
    else
        ck_assert_msg(rc == bad[_i].code, "%s: expected code %d, got %d (%s)", bad[_i].file,
                      bad[_i].code, rc, err.message);
    ck_assert_int_ne(myelin_exit_code(rc), 0);
    ck_assert_str_eq(err.file, path);
    if (bad[_i].line) {
        ck_assert_msg(err.line == bad[_i].line && err.column == bad[_i].column,
                      "%s: expected %d:%d, got %d:%d (%s)", bad[_i].file, bad[_i].line,
                      bad[_i].column, err.line, err.column, err.message);
        ck_assert_msg(strstr(err.message, bad[_i].fragment), "%s: message '%s' lacks '%s'",
                      bad[_i].file, err.message, bad[_i].fragment);
    }
}
END_TEST

START_TEST(test_plugin_path_relative)
{
    char text[4096];
    snprintf(text, sizeof text, "%splugins: [plug/x.so, /abs/y.so]\ncost_models: {linear: x}\n",
             base_arch);
    myelin_arch *a = NULL;
    myelin_error err;
    ck_assert_int_eq(myelin_arch_load_string(text, "/dir/arch.yaml", &a, &err), 0);
    ck_assert_int_eq(a->n_plugins, 2);
    ck_assert_str_eq(a->plugins[0], "/dir/plug/x.so");
    ck_assert_str_eq(a->plugins[1], "/abs/y.so");
    ck_assert_str_eq(a->cost_model[MYELIN_LAYER_LINEAR], "x");
    ck_assert_int_eq(a->cost_model_line[MYELIN_LAYER_LINEAR], 27);
    myelin_arch_free(a);
}
END_TEST

/* ---- mapper ---------------------------------------------------------------------------------- */

/* A one-layer graph built by hand: a token-wise linear layer over `tokens` tokens. */
static void one_linear(myelin_workload *wl, myelin_layer *l, int c_in, int c_out, int tokens_h,
                       int tokens_w)
{
    memset(wl, 0, sizeof *wl);
    memset(l, 0, sizeof *l);
    snprintf(wl->name, sizeof wl->name, "hand");
    wl->timesteps = 4;
    wl->input = (myelin_shape){c_in, tokens_h, tokens_w};
    wl->n_layers = 1;
    wl->layers = l;
    snprintf(l->name, sizeof l->name, "block.0.mlp.fc1");
    l->kind = MYELIN_LAYER_LINEAR;
    l->n_inputs = 1;
    l->inputs[0] = MYELIN_INPUT_IMAGE;
    l->in_shape = wl->input;
    l->out_shape = (myelin_shape){c_out, tokens_h, tokens_w};
    l->c_in = c_in;
    l->c_out = c_out;
    l->kernel = 1;
    l->has_bias = 1;
    snprintf(l->bn_name, sizeof l->bn_name, "block.0.mlp.fc1_bn");
    l->has_lif = 1;
    l->v_threshold = 1;
    l->tau = 2;
}

/* Expected placements on the base array (1,024 neurons, 524,288 synapse bits, 4 KB membranes).
 * Channel bits = (c_in + 1 bias + 2 BN) x w + 32 scale (quantized); neurons per channel = tokens. */
static const struct {
    int c_in, c_out, th, tw, wbits, mbits;
    int cores, cpc, slices;
} maps[] = {
    /* float: 16-bit membranes are not in 4096 B? 4096*8/32 = 1024 neurons; 64 tokens/channel ->
     * 16 channels by neurons; bits/channel (256+3)*32 = 8288 -> 63 by memory; 16 per core */
    {256, 64, 8, 8, 0, 0, 4, 16, 1},
    /* 8-bit: (256+3)*8 + 32 = 2104 bits/ch; 16-bit membranes: 2048 neurons by memory, 1024 cap */
    {256, 64, 8, 8, 8, 16, 4, 16, 1},
    /* memory-bound: 4096 inputs at float = (4096+3)*32 = 131168 bits/ch -> 3 ch per core */
    {4096, 10, 1, 1, 0, 0, 4, 3, 1},
    /* token split: 48 x 48 = 2304 tokens per channel > 1024 -> 3 slices per channel */
    {8, 4, 48, 48, 8, 16, 12, 1, 3},
};

START_TEST(test_mapper_hand)
{
    myelin_workload wl;
    myelin_layer l;
    one_linear(&wl, &l, maps[_i].c_in, maps[_i].c_out, maps[_i].th, maps[_i].tw);
    myelin_layer_quant q = {maps[_i].wbits, MYELIN_SCHEME_UNIFORM, MYELIN_GRAN_CHANNEL, maps[_i].mbits};
    myelin_arch *a = load_base();
    myelin_mapping *m = NULL;
    myelin_error err;
    ck_assert_msg(myelin_map(&wl, &q, a, &m, &err) == 0, "%s", err.message);
    ck_assert_int_eq(m->layers[0].cores, maps[_i].cores);
    ck_assert_int_eq(m->layers[0].channels_per_core, maps[_i].cpc);
    ck_assert_int_eq(m->layers[0].token_slices, maps[_i].slices);
    ck_assert_int_eq(m->layers[0].first_core, 0);
    ck_assert_int_eq(m->cores_used, maps[_i].cores);
    ck_assert_int_eq(m->cores_total, 16);
    int64_t neurons = (int64_t)maps[_i].c_out * maps[_i].th * maps[_i].tw;
    ck_assert_int_eq(m->layers[0].neurons, neurons);
    ck_assert_double_eq_tol(m->layers[0].neuron_util, (double)neurons / (maps[_i].cores * 1024.0), 1e-12);
    myelin_mapping_free(m);
    myelin_arch_free(a);
}
END_TEST

START_TEST(test_mapper_memory_model)
{
    myelin_workload wl;
    myelin_layer l;
    one_linear(&wl, &l, 256, 64, 8, 8);
    myelin_layer_quant q8 = {8, MYELIN_SCHEME_UNIFORM, MYELIN_GRAN_CHANNEL, 16};
    myelin_layer_memory m = myelin_layer_memory_of(&l, &q8);
    ck_assert_int_eq(m.weight_bits, 256 * 64 * 8);
    ck_assert_int_eq(m.bias_bits, 3 * 64 * 8);        /* bias + BN pair, at the weight width */
    ck_assert_int_eq(m.scale_bits, 64 * 32);          /* per-channel 32-bit scales */
    ck_assert_int_eq(m.membrane_bits, 64 * 64 * 16);
    q8.granularity = MYELIN_GRAN_TENSOR;
    ck_assert_int_eq(myelin_layer_memory_of(&l, &q8).scale_bits, 32);
    myelin_layer_quant qf = {MYELIN_BITS_FLOAT, MYELIN_SCHEME_UNIFORM, MYELIN_GRAN_CHANNEL,
                             MYELIN_BITS_FLOAT};
    m = myelin_layer_memory_of(&l, &qf);
    ck_assert_int_eq(m.weight_bits + m.bias_bits, (256 * 64 + 3 * 64) * 32);
    ck_assert_int_eq(m.scale_bits, 0);
    ck_assert_int_eq(m.membrane_bits, 64 * 64 * 32);
}
END_TEST

/* Errors name the layer, what it needs and what the array offers. */
static const struct {
    int c_in, c_out, th, tw, wbits, mbits, code;
    const char *fragments[3];
} map_errors[] = {
    /* 64 x 64 tokens x 64 channels: 4 slices x 64 = 256 cores > 16 */
    {8, 64, 64, 64, 8, 16, MYELIN_EFIT, {"block.0.mlp.fc1", "needs 256 cores", "4x4 array"}},
    /* one channel of 20000 inputs at float = 640096 bits > 524288 */
    {20000, 4, 1, 1, 0, 0, MYELIN_EFIT, {"block.0.mlp.fc1", "640096 bits", "524288 bits"}},
    {8, 4, 2, 2, 2, 16, MYELIN_EUNSUPPORTED, {"block.0.mlp.fc1", "2-bit weights", "weight_bits"}},
    {8, 4, 2, 2, 8, 8, MYELIN_EUNSUPPORTED, {"block.0.mlp.fc1", "8-bit membranes", "membrane_bits"}},
};

START_TEST(test_mapper_errors)
{
    myelin_workload wl;
    myelin_layer l;
    one_linear(&wl, &l, map_errors[_i].c_in, map_errors[_i].c_out, map_errors[_i].th,
               map_errors[_i].tw);
    myelin_layer_quant q = {map_errors[_i].wbits, MYELIN_SCHEME_UNIFORM, MYELIN_GRAN_CHANNEL,
                            map_errors[_i].mbits};
    myelin_arch *a = load_base();
    myelin_mapping *m = (myelin_mapping *)&m;
    myelin_error err;
    ck_assert_int_eq(myelin_map(&wl, &q, a, &m, &err), map_errors[_i].code);
    ck_assert_ptr_null(m);
    for (int k = 0; k < 3; k++)
        ck_assert_msg(strstr(err.message, map_errors[_i].fragments[k]), "'%s' lacks '%s'",
                      err.message, map_errors[_i].fragments[k]);
    myelin_arch_free(a);
}
END_TEST

/* Area: presets give every item with a source; the per-component formula by hand; an area in two
 * units, or without a source, is refused with its position. */
START_TEST(test_area)
{
    static const char *const presets[] = {"generic-45nm", "paper-45nm", "loihi-like"};
    for (int k = 0; k < 3; k++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/arch/presets/%s.yaml", MYELIN_TEST_SRCDIR, presets[k]);
        myelin_arch *a = NULL;
        myelin_error err;
        ck_assert_msg(myelin_arch_load(path, &a, &err) == 0, "%s: %s", path, err.message);
        ck_assert(a->has_area);
        for (int i = 0; i < MYELIN_AREA_ITEM_COUNT; i++)
            ck_assert_msg(a->area[i].source[0] && a->area[i].um2 > 0, "%s: area.%s", presets[k],
                          myelin_area_item_name((myelin_area_item)i));
        myelin_arch_free(a);
    }
    const char *area =
        "area:\n"
        "  sram_bit: {um2: 0.5, source: \"s\"}\n"
        "  accumulator_lane: {um2: 400, source: \"s\"}\n"
        "  core_logic: {mm2: 0.01, source: \"s\"}\n"
        "  router: {um2: 20000, source: \"s\"}\n"
        "  buffer_bit: {um2: 5, source: \"s\"}\n";
    char text[4096];
    snprintf(text, sizeof text, "%s%s", base_arch, area);
    myelin_arch *a = NULL;
    myelin_error err;
    ck_assert_msg(myelin_arch_load_string(text, "/x/a.yaml", &a, &err) == 0, "%s", err.message);
    double mm2[MYELIN_AREA_COMP_COUNT];
    double t = myelin_arch_area_mm2(a, 3, mm2);
    ck_assert_double_eq_tol(mm2[MYELIN_AREA_SYNAPSE_MEM], 3 * 65536.0 * 8 * 0.5e-6, 1e-9);
    ck_assert_double_eq_tol(mm2[MYELIN_AREA_MEMBRANE_MEM], 3 * 4096.0 * 8 * 0.5e-6, 1e-9);
    ck_assert_double_eq_tol(mm2[MYELIN_AREA_LOGIC], 3 * (4 * 400 + 10000) * 1e-6, 1e-9);
    ck_assert_double_eq_tol(mm2[MYELIN_AREA_NOC], 3 * (20000 + 5.0 * 4 * 32 * 5) * 1e-6, 1e-9);
    ck_assert_double_eq_tol(t, mm2[0] + mm2[1] + mm2[2] + mm2[3], 1e-12);
    myelin_arch_free(a);
    /* without an area section: 0, not an error */
    a = load_base();
    ck_assert(!a->has_area && myelin_arch_area_mm2(a, 3, NULL) == 0);
    myelin_arch_free(a);
    snprintf(text, sizeof text, "%sarea:\n  sram_bit: {um2: 1, source: \"s\"}\n", base_arch);
    ck_assert_int_eq(myelin_arch_load_string(text, "/x/a.yaml", &a, &err), MYELIN_EMISSING);
    snprintf(text, sizeof text, "%s%s", base_arch, area);
    char *u = strstr(text, "{um2: 0.5,");
    ck_assert_ptr_nonnull(u);
    memcpy(u, "{mm2: 0.5,", 10); /* fine */
    ck_assert_int_eq(myelin_arch_load_string(text, "/x/a.yaml", &a, &err), 0);
    myelin_arch_free(a);
    snprintf(text, sizeof text, "%sarea:\n  sram_bit: {um2: 0.5, mm2: 1, source: \"s\"}\n%s", base_arch,
             strstr(area, "  accumulator_lane"));
    ck_assert_int_eq(myelin_arch_load_string(text, "/x/a.yaml", &a, &err), MYELIN_ESCHEMA);
    ck_assert_msg(strstr(err.message, "exactly one unit"), "%s", err.message);
    snprintf(text, sizeof text, "%s%s", base_arch, area);
    char *src = strstr(text, "source: \"s\"}\n  accumulator");
    ck_assert_ptr_nonnull(src);
    memcpy(src, "source: \"\"} ", 12);
    ck_assert_int_ne(myelin_arch_load_string(text, "/x/a.yaml", &a, &err), 0);
    ck_assert_msg(strstr(err.message, "source") && err.line == 27, "%d: %s", err.line, err.message);
}
END_TEST

START_TEST(test_mean_hops)
{
    myelin_arch *a = load_base(); /* 4 x 4 */
    myelin_layer_map x = {.cores = 2, .first_core = 0}, y = {.cores = 2, .first_core = 2};
    double hx, hy;
    /* columns {0,1} to {2,3}: |0-2|,|0-3|,|1-2|,|1-3| = 2,3,1,2 -> 2 */
    ck_assert_int_eq(myelin_mapping_mean_hops(a, &x, &y, &hx, &hy, NULL), 0);
    ck_assert_double_eq_tol(hx, 2.0, 1e-12);
    ck_assert_double_eq_tol(hy, 0.0, 1e-12);
    /* core 0 (0,0) to cores 4..7 (row 1): y = 1; x = mean |0 - {0,1,2,3}| = 1.5 */
    myelin_layer_map s = {.cores = 1, .first_core = 0}, r = {.cores = 4, .first_core = 4};
    ck_assert_int_eq(myelin_mapping_mean_hops(a, &s, &r, &hx, &hy, NULL), 0);
    ck_assert_double_eq_tol(hx, 1.5, 1e-12);
    ck_assert_double_eq_tol(hy, 1.0, 1e-12);
    myelin_layer_map none = {.cores = 0, .first_core = -1};
    ck_assert_int_eq(myelin_mapping_mean_hops(a, &s, &none, &hx, &hy, NULL), 0);
    ck_assert_double_eq_tol(hx + hy, 0.0, 1e-12);
    myelin_arch_free(a);
}
END_TEST

Suite *make_arch_suite(void)
{
    Suite *s = suite_create("arch");
    TCase *tc = tcase_create("schema");
    tcase_add_test(tc, test_base_values);
    tcase_add_loop_test(tc, test_preset_prices, 0, (int)(sizeof preset_prices / sizeof preset_prices[0]));
    tcase_add_test(tc, test_resolve_preset);
    tcase_add_loop_test(tc, test_bad_corpus, 0, (int)(sizeof bad / sizeof bad[0]));
    tcase_add_test(tc, test_plugin_path_relative);
    suite_add_tcase(s, tc);
    tc = tcase_create("mapper");
    tcase_add_loop_test(tc, test_mapper_hand, 0, (int)(sizeof maps / sizeof maps[0]));
    tcase_add_test(tc, test_mapper_memory_model);
    tcase_add_loop_test(tc, test_mapper_errors, 0, (int)(sizeof map_errors / sizeof map_errors[0]));
    tcase_add_test(tc, test_mean_hops);
    tcase_add_test(tc, test_area);
    suite_add_tcase(s, tc);
    return s;
}
