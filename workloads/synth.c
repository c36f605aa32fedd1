/* workloads/synth.c — the seeded synthetic image generator (part of the dataset definition).
 *
 * Image i of (seed, split) is a pure function of those three numbers: its RNG is the xoshiro stream
 * (seed ^ split constant, i) of base/rng.h, so any image can be regenerated alone (seek is free) and
 * the same spec always gives the same bytes.
 *
 * What an image is (C×H×W, uint8, HWC):
 *   label       uniform over the classes (drawn first from the image's stream);
 *   pattern     an oriented sinusoidal grating whose angle is the class's, pi*label/classes, with
 *               jitter of ±0.15 of the class spacing, a random spatial frequency (0.16–0.30
 *               cycles/pixel) and phase, seen through a Gaussian window at a random position and
 *               radius (0.3–0.6 of the image), at a random contrast (0.45–0.9);
 *   colour      the grating's per-channel tint is half the class's colour (a fixed hash of the
 *               label) and half a random colour, so colour helps but does not decide;
 *   clutter     1–3 random line strokes (random angle, position, length, brightness);
 *   noise       Gaussian pixel noise, sigma 0.06 of full scale; a background level per image;
 *   ambiguity   4 % of images take their angle halfway to a neighbouring class: those are
 *               genuinely ambiguous, so no classifier reaches 100 %.
 * Neighbouring classes differ by 180/classes degrees of orientation, which a small network resolves
 * only with enough precision: low-bit weights visibly lose accuracy.  Works for any h, w >= 4,
 * c >= 1 and classes >= 2. */
#include <math.h>
#include <stdint.h>

#include "base/rng.h"
#include "workloads/dataset.h"

#define SYNTH_PI 3.14159265358979323846

static double clamp01(double v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

/* The class's colour: a fixed hash of the label, each channel in [0.35, 1]. */
static double class_tint(int label, int ch)
{
    uint64_t h = (uint64_t)(label + 1) * 0x9E3779B97F4A7C15ull ^ (uint64_t)(ch + 1) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
    h *= 0x94D049BB133111EBull;
    h ^= h >> 29;
    return 0.35 + 0.65 * (double)(h >> 11) / 9007199254740992.0;
}

void myelin_synth_image(const myelin_synth_config *cfg, int64_t index, uint8_t *pixels, int *label)
{
    const int c = cfg->c, h = cfg->h, w = cfg->w, classes = cfg->classes;
    myelin_rng r;
    myelin_rng_seed(&r, cfg->seed ^ (cfg->split ? 0x7E57DA7A5E7ull : 0x7A1D7A7A5E7ull), (uint64_t)index);

    const int lab = (int)myelin_rng_below(&r, (uint64_t)classes);
    const double spacing = SYNTH_PI / classes;
    double angle = lab * spacing + (myelin_rng_uniform(&r) - 0.5) * 0.3 * spacing;
    if (myelin_rng_uniform(&r) < 0.04) /* ambiguous: halfway to a neighbour */
        angle = lab * spacing + (myelin_rng_uniform(&r) < 0.5 ? -0.5 : 0.5) * spacing;
    const double freq = 0.16 + 0.14 * myelin_rng_uniform(&r);
    const double phase = 2 * SYNTH_PI * myelin_rng_uniform(&r);
    const double cx = w * (0.3 + 0.4 * myelin_rng_uniform(&r));
    const double cy = h * (0.3 + 0.4 * myelin_rng_uniform(&r));
    const double rad = (h < w ? h : w) * (0.3 + 0.3 * myelin_rng_uniform(&r));
    const double contrast = 0.45 + 0.45 * myelin_rng_uniform(&r);
    const double bg = 0.1 + 0.25 * myelin_rng_uniform(&r);
    double tint[4] = {1, 1, 1, 1};
    for (int ch = 0; ch < c && ch < 4; ch++)
        tint[ch] = 0.5 * class_tint(lab, ch) + 0.5 * (0.35 + 0.65 * myelin_rng_uniform(&r));

    const double ca = cos(angle), sa = sin(angle);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double dx = x - cx, dy = y - cy;
            double env = exp(-(dx * dx + dy * dy) / (2 * rad * rad));
            double g = 0.5 * (1 + sin(2 * SYNTH_PI * freq * (x * ca + y * sa) + phase));
            for (int ch = 0; ch < c; ch++)
                pixels[((size_t)y * w + x) * c + ch] =
                    (uint8_t)lround(255 * clamp01(bg + contrast * env * g * tint[ch < 4 ? ch : 3]));
        }

    /* clutter strokes, drawn over the pattern */
    int strokes = 1 + (int)myelin_rng_below(&r, 3);
    for (int s = 0; s < strokes; s++) {
        double a = SYNTH_PI * myelin_rng_uniform(&r);
        double x0 = w * myelin_rng_uniform(&r), y0 = h * myelin_rng_uniform(&r);
        double len = (h < w ? h : w) * (0.3 + 0.4 * myelin_rng_uniform(&r));
        double v = 0.3 + 0.7 * myelin_rng_uniform(&r);
        for (double t = 0; t < len; t += 0.5) {
            int x = (int)floor(x0 + t * cos(a)), y = (int)floor(y0 + t * sin(a));
            if (x < 0 || y < 0 || x >= w || y >= h)
                continue;
            for (int ch = 0; ch < c; ch++)
                pixels[((size_t)y * w + x) * c + ch] = (uint8_t)lround(255 * v);
        }
    }

    /* pixel noise */
    for (size_t i = 0; i < (size_t)h * w * c; i++) {
        double v = pixels[i] / 255.0 + 0.06 * myelin_rng_normal(&r);
        pixels[i] = (uint8_t)lround(255 * clamp01(v));
    }
    *label = lab;
}
