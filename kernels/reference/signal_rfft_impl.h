/* One real-FFT variant of signal_rfft.c, instantiated per scalar type. Before including:
 * RF(name) (name suffix), RF_T (scalar), RF_ACC (type sums are formed in), RF_NARROW(x)
 * (RF_ACC -> RF_T as TFLM's stores do: modulo 2^bits for the integer ones), RF_FIXED (1 for
 * kissfft's FIXED_POINT), RF_PROD, RF_FRACBITS, RF_SAMP_MAX; all are #undef'd at the end. */

typedef struct {
    RF_T r;
    RF_T i;
} RF(cpx);

#if RF_FIXED
/* kissfft's sround: round the Q(FRACBITS) product to the nearest, ties up. */
#define RF_SROUND(x) ((RF_T)(((x) + ((RF_PROD)1 << (RF_FRACBITS - 1))) >> RF_FRACBITS))
#define RF_SMUL(a, b) RF_SROUND((RF_PROD)(a) * (b))
#define RF_FIXDIV(c, d)                                                                       \
    do {                                                                                      \
        (c).r = RF_SROUND((RF_PROD)(c).r * (RF_SAMP_MAX / (d)));                              \
        (c).i = RF_SROUND((RF_PROD)(c).i * (RF_SAMP_MAX / (d)));                              \
    } while (0)
#define RF_HALF(x) ((RF_T)((x) >> 1))
#else
#define RF_SMUL(a, b) ((a) * (b))
#define RF_FIXDIV(c, d) ((void)0)
#define RF_HALF(x) ((x) * 0.5f)
#endif

#define RF_CMUL(m, a, b)                                                                      \
    do {                                                                                      \
        RF_T mr_, mi_;                                                                        \
        RF_CMUL_PARTS(mr_, mi_, a, b);                                                        \
        (m).r = mr_;                                                                          \
        (m).i = mi_;                                                                          \
    } while (0)
#if RF_FIXED
#define RF_CMUL_PARTS(mr, mi, a, b)                                                           \
    do {                                                                                      \
        (mr) = RF_SROUND((RF_PROD)(a).r * (b).r - (RF_PROD)(a).i * (b).i);                    \
        (mi) = RF_SROUND((RF_PROD)(a).r * (b).i + (RF_PROD)(a).i * (b).r);                    \
    } while (0)
#else
#define RF_CMUL_PARTS(mr, mi, a, b)                                                           \
    do {                                                                                      \
        (mr) = (a).r * (b).r - (a).i * (b).i;                                                 \
        (mi) = (a).r * (b).i + (a).i * (b).r;                                                 \
    } while (0)
#endif
#define RF_ADD(x, y) RF_NARROW((RF_ACC)(x) + (RF_ACC)(y))
#define RF_SUB(x, y) RF_NARROW((RF_ACC)(x) - (RF_ACC)(y))
#define RF_CADD(res, a, b)                                                                    \
    do {                                                                                      \
        (res).r = RF_ADD((a).r, (b).r);                                                       \
        (res).i = RF_ADD((a).i, (b).i);                                                       \
    } while (0)
#define RF_CSUB(res, a, b)                                                                    \
    do {                                                                                      \
        (res).r = RF_SUB((a).r, (b).r);                                                       \
        (res).i = RF_SUB((a).i, (b).i);                                                       \
    } while (0)

static void RF(bfly2)(RF(cpx) *out, int32_t fstride, const RF(cpx) *tw, int32_t m)
{
    RF(cpx) *out2 = out + m;
    const RF(cpx) *tw1 = tw;
    RF(cpx) t;
    do {
        RF_FIXDIV(*out, 2);
        RF_FIXDIV(*out2, 2);
        RF_CMUL(t, *out2, *tw1);
        tw1 += fstride;
        RF_CSUB(*out2, *out, t);
        RF_CADD(*out, *out, t);
        ++out2;
        ++out;
    } while (--m);
}

static void RF(bfly4)(RF(cpx) *out, int32_t fstride, const RF(cpx) *tw, int32_t m, int inverse)
{
    const RF(cpx) *tw1 = tw, *tw2 = tw, *tw3 = tw;
    RF(cpx) s[6];
    int32_t k = m;
    const int32_t m2 = 2 * m, m3 = 3 * m;
    do {
        RF_FIXDIV(out[0], 4);
        RF_FIXDIV(out[m], 4);
        RF_FIXDIV(out[m2], 4);
        RF_FIXDIV(out[m3], 4);
        RF_CMUL(s[0], out[m], *tw1);
        RF_CMUL(s[1], out[m2], *tw2);
        RF_CMUL(s[2], out[m3], *tw3);
        RF_CSUB(s[5], out[0], s[1]);
        RF_CADD(out[0], out[0], s[1]);
        RF_CADD(s[3], s[0], s[2]);
        RF_CSUB(s[4], s[0], s[2]);
        RF_CSUB(out[m2], out[0], s[3]);
        tw1 += fstride;
        tw2 += fstride * 2;
        tw3 += fstride * 3;
        RF_CADD(out[0], out[0], s[3]);
        if (inverse) {
            out[m].r = RF_SUB(s[5].r, s[4].i);
            out[m].i = RF_ADD(s[5].i, s[4].r);
            out[m3].r = RF_ADD(s[5].r, s[4].i);
            out[m3].i = RF_SUB(s[5].i, s[4].r);
        } else {
            out[m].r = RF_ADD(s[5].r, s[4].i);
            out[m].i = RF_SUB(s[5].i, s[4].r);
            out[m3].r = RF_SUB(s[5].r, s[4].i);
            out[m3].i = RF_ADD(s[5].i, s[4].r);
        }
        ++out;
    } while (--k);
}

static void RF(bfly3)(RF(cpx) *out, int32_t fstride, const RF(cpx) *tw, int32_t m)
{
    int32_t k = m;
    const int32_t m2 = 2 * m;
    const RF(cpx) *tw1 = tw, *tw2 = tw;
    RF(cpx) s[5];
    const RF(cpx) epi3 = tw[fstride * m];
    do {
        RF_FIXDIV(out[0], 3);
        RF_FIXDIV(out[m], 3);
        RF_FIXDIV(out[m2], 3);
        RF_CMUL(s[1], out[m], *tw1);
        RF_CMUL(s[2], out[m2], *tw2);
        RF_CADD(s[3], s[1], s[2]);
        RF_CSUB(s[0], s[1], s[2]);
        tw1 += fstride;
        tw2 += fstride * 2;
        out[m].r = RF_SUB(out[0].r, RF_HALF(s[3].r));
        out[m].i = RF_SUB(out[0].i, RF_HALF(s[3].i));
        s[0].r = RF_SMUL(s[0].r, epi3.i);
        s[0].i = RF_SMUL(s[0].i, epi3.i);
        RF_CADD(out[0], out[0], s[3]);
        out[m2].r = RF_ADD(out[m].r, s[0].i);
        out[m2].i = RF_SUB(out[m].i, s[0].r);
        out[m].r = RF_SUB(out[m].r, s[0].i);
        out[m].i = RF_ADD(out[m].i, s[0].r);
        ++out;
    } while (--k);
}

static void RF(bfly5)(RF(cpx) *out, int32_t fstride, const RF(cpx) *tw, int32_t m)
{
    RF(cpx) *o0 = out, *o1 = out + m, *o2 = out + 2 * m, *o3 = out + 3 * m, *o4 = out + 4 * m;
    RF(cpx) s[13];
    const RF(cpx) ya = tw[fstride * m], yb = tw[fstride * 2 * m];
    int32_t u;
    for (u = 0; u < m; ++u) {
        RF_FIXDIV(*o0, 5);
        RF_FIXDIV(*o1, 5);
        RF_FIXDIV(*o2, 5);
        RF_FIXDIV(*o3, 5);
        RF_FIXDIV(*o4, 5);
        s[0] = *o0;
        RF_CMUL(s[1], *o1, tw[u * fstride]);
        RF_CMUL(s[2], *o2, tw[2 * u * fstride]);
        RF_CMUL(s[3], *o3, tw[3 * u * fstride]);
        RF_CMUL(s[4], *o4, tw[4 * u * fstride]);
        RF_CADD(s[7], s[1], s[4]);
        RF_CSUB(s[10], s[1], s[4]);
        RF_CADD(s[8], s[2], s[3]);
        RF_CSUB(s[9], s[2], s[3]);
        /* Sums formed in int (kissfft's expressions), stored narrowed. */
        o0->r = RF_NARROW((RF_ACC)o0->r + ((RF_ACC)s[7].r + s[8].r));
        o0->i = RF_NARROW((RF_ACC)o0->i + ((RF_ACC)s[7].i + s[8].i));
        s[5].r = RF_NARROW((RF_ACC)s[0].r + RF_SMUL(s[7].r, ya.r) + RF_SMUL(s[8].r, yb.r));
        s[5].i = RF_NARROW((RF_ACC)s[0].i + RF_SMUL(s[7].i, ya.r) + RF_SMUL(s[8].i, yb.r));
        s[6].r = RF_NARROW((RF_ACC)RF_SMUL(s[10].i, ya.i) + RF_SMUL(s[9].i, yb.i));
        s[6].i = RF_NARROW(-(RF_ACC)RF_SMUL(s[10].r, ya.i) - RF_SMUL(s[9].r, yb.i));
        RF_CSUB(*o1, s[5], s[6]);
        RF_CADD(*o4, s[5], s[6]);
        s[11].r = RF_NARROW((RF_ACC)s[0].r + RF_SMUL(s[7].r, yb.r) + RF_SMUL(s[8].r, ya.r));
        s[11].i = RF_NARROW((RF_ACC)s[0].i + RF_SMUL(s[7].i, yb.r) + RF_SMUL(s[8].i, ya.r));
        s[12].r = RF_NARROW(-(RF_ACC)RF_SMUL(s[10].i, yb.i) + RF_SMUL(s[9].i, ya.i));
        s[12].i = RF_NARROW((RF_ACC)RF_SMUL(s[10].r, yb.i) - RF_SMUL(s[9].r, ya.i));
        RF_CADD(*o2, s[11], s[12]);
        RF_CSUB(*o3, s[11], s[12]);
        ++o0;
        ++o1;
        ++o2;
        ++o3;
        ++o4;
    }
}

/* Input element fi of the half-length complex sequence: samples 2fi and 2fi + 1 of the
 * row, zero beyond its length (TFLM copies the row into a zero-padded work area). */
static RF(cpx) RF(load)(const RF_T *x, int32_t len, int32_t fi)
{
    RF(cpx) c;
    c.r = 2 * fi < len ? x[2 * fi] : (RF_T)0;
    c.i = 2 * fi + 1 < len ? x[2 * fi + 1] : (RF_T)0;
    return c;
}

/* kissfft's kf_work: decimation in time, recursing over the factors (depth <= 16). */
static void RF(work)(RF(cpx) *out, const RF_T *x, int32_t len, int32_t fi, int32_t fstride,
                     const int32_t *factors, const RF(cpx) *tw)
{
    RF(cpx) *beg = out;
    const int32_t p = factors[0], m = factors[1];
    const RF(cpx) *end = out + p * m;
    if (m == 1) {
        do {
            *out = RF(load)(x, len, fi);
            fi += fstride;
        } while (++out != end);
    } else {
        do {
            RF(work)(out, x, len, fi, fstride * p, factors + 2, tw);
            fi += fstride;
        } while ((out += m) != end);
    }
    out = beg;
    switch (p) {
    case 2:
        RF(bfly2)(out, fstride, tw, m);
        break;
    case 3:
        RF(bfly3)(out, fstride, tw, m);
        break;
    case 4:
        RF(bfly4)(out, fstride, tw, m, 0);
        break;
    default:
        RF(bfly5)(out, fstride, tw, m);
        break;
    }
}

/* The split step's shared part for bins k and ncfft - k (kiss_fftr and kiss_fftri): halve
 * freq[k] and conj(freq[ncfft - k]) (fixed point), then sum = their sum and
 * prod = their difference times super_tw[k - 1]. */
static inline void RF(split_pair)(const RF(cpx) *freq, int32_t k, int32_t ncfft,
                                  const RF(cpx) *super_tw, RF(cpx) *sum, RF(cpx) *prod)
{
    RF(cpx) fk = freq[k], fnkc, d;
    fnkc.r = freq[ncfft - k].r;
    fnkc.i = RF_NARROW(-(RF_ACC)freq[ncfft - k].i);
    RF_FIXDIV(fk, 2);
    RF_FIXDIV(fnkc, 2);
    RF_CADD(*sum, fk, fnkc);
    RF_CSUB(d, fk, fnkc);
    RF_CMUL(*prod, d, super_tw[k - 1]);
}

/* kiss_fftr on one row, the half-length FFT computed into the output itself (its first
 * ncfft bins) and split in place: iteration k reads bins k and ncfft - k before writing
 * them, and bin 0 before bins 0 and ncfft. */
static void RF(row)(const RF_T *x, int32_t len, int32_t ncfft, const int32_t *factors,
                    const RF(cpx) *tw, const RF(cpx) *super_tw, RF(cpx) *freq)
{
    RF(cpx) tdc, f1k, t;
    int32_t k;
    RF(work)(freq, x, len, 0, 1, factors, tw);
    tdc = freq[0];
    RF_FIXDIV(tdc, 2);
    freq[0].r = RF_ADD(tdc.r, tdc.i);
    freq[ncfft].r = RF_SUB(tdc.r, tdc.i);
    freq[0].i = (RF_T)0;
    freq[ncfft].i = (RF_T)0;
    for (k = 1; k <= ncfft / 2; ++k) {
        RF(split_pair)(freq, k, ncfft, super_tw, &f1k, &t);
        freq[k].r = RF_HALF_SUM(f1k.r, t.r);
        freq[k].i = RF_HALF_SUM(f1k.i, t.i);
        freq[ncfft - k].r = RF_HALF_DIFF(f1k.r, t.r);
        freq[ncfft - k].i = RF_HALF_DIFF(t.i, f1k.i);
    }
}

lwai_status RF(lwai_signal_rfft)(const lwai_signal_params *params, const lwai_dims *input_dims,
                                 const RF_T *input, const lwai_dims *twiddles_dims,
                                 const RF_T *twiddles, const lwai_dims *output_dims,
                                 RF_T *output)
{
    int32_t factors[64];
    const int32_t n = lwai_signal_count(input_dims);
    int32_t ncfft, len, rows, r;
    if (params == 0 || input == 0 || twiddles == 0 || output == 0 || n < 1 ||
        lwai_signal_rfft_factors(params->fft_length, factors) == 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    ncfft = params->fft_length / 2;
    len = input_dims->c;
    rows = n / len;
    if (len > params->fft_length || output_dims == 0 || output_dims->c != 2 * (ncfft + 1) ||
        lwai_signal_count(output_dims) != rows * 2 * (ncfft + 1) ||
        lwai_signal_count(twiddles_dims) != 2 * (ncfft + ncfft / 2)) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (r = 0; r < rows; ++r) {
        RF(row)(input + r * len, len, ncfft, factors, (const RF(cpx) *)twiddles,
                (const RF(cpx) *)twiddles + ncfft, (RF(cpx) *)(output + r * 2 * (ncfft + 1)));
    }
    return LWAI_OK;
}

/* The butterflies of kf_work alone, in its (post-)order: used after the input has been
 * permuted in place into the order kf_work's leaves would copy it. */
static void RF(stages)(RF(cpx) *out, int32_t fstride, const int32_t *factors,
                       const RF(cpx) *tw, int inverse)
{
    const int32_t p = factors[0], m = factors[1];
    int32_t k;
    if (m > 1) {
        for (k = 0; k < p; ++k) {
            RF(stages)(out + k * m, fstride * p, factors + 2, tw, inverse);
        }
    }
    switch (p) {
    case 2:
        RF(bfly2)(out, fstride, tw, m);
        break;
    case 3:
        RF(bfly3)(out, fstride, tw, m);
        break;
    case 4:
        RF(bfly4)(out, fstride, tw, m, inverse);
        break;
    default:
        RF(bfly5)(out, fstride, tw, m);
        break;
    }
}

/* kiss_fftri on one row: the split step into out (as ncfft complex values), then the
 * half-length inverse FFT in place: kf_work's leaf copies as an in-place permutation
 * (each cycle rotated once, led by its smallest index), then its butterflies. */
static void RF(irow)(const RF(cpx) *freq, int32_t ncfft, const int32_t *factors,
                     const RF(cpx) *tw, const RF(cpx) *super_tw, RF(cpx) *out)
{
    RF(cpx) fek, fok;
    int32_t k, i;
    out[0].r = RF_ADD(freq[0].r, freq[ncfft].r);
    out[0].i = RF_SUB(freq[0].r, freq[ncfft].r);
    RF_FIXDIV(out[0], 2);
    for (k = 1; k <= ncfft / 2; ++k) {
        RF(split_pair)(freq, k, ncfft, super_tw, &fek, &fok);
        RF_CADD(out[k], fek, fok);
        RF_CSUB(out[ncfft - k], fek, fok);
        out[ncfft - k].i = RF_NARROW(-(RF_ACC)out[ncfft - k].i);
    }
    for (i = 0; i < ncfft; ++i) {
        int32_t j = lwai_signal_fft_source(i, factors);
        while (j > i) {
            j = lwai_signal_fft_source(j, factors);
        }
        if (j == i) {
            int32_t cur = i, next = lwai_signal_fft_source(i, factors);
            const RF(cpx) first = out[i];
            while (next != i) {
                out[cur] = out[next];
                cur = next;
                next = lwai_signal_fft_source(next, factors);
            }
            out[cur] = first;
        }
    }
    RF(stages)(out, 1, factors, tw, 1);
}

lwai_status RF(lwai_signal_irfft)(const lwai_signal_params *params,
                                  const lwai_dims *input_dims, const RF_T *input,
                                  const lwai_dims *twiddles_dims, const RF_T *twiddles,
                                  const lwai_dims *output_dims, RF_T *output)
{
    int32_t factors[64];
    const int32_t n = lwai_signal_count(input_dims);
    int32_t ncfft, rows, r;
    if (params == 0 || input == 0 || twiddles == 0 || output == 0 || n < 1 ||
        lwai_signal_rfft_factors(params->fft_length, factors) == 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    ncfft = params->fft_length / 2;
    rows = n / (2 * (ncfft + 1));
    if (input_dims->c != 2 * (ncfft + 1) || output_dims == 0 ||
        output_dims->c != params->fft_length ||
        lwai_signal_count(output_dims) != rows * params->fft_length ||
        lwai_signal_count(twiddles_dims) != 2 * (ncfft + ncfft / 2)) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (r = 0; r < rows; ++r) {
        RF(irow)((const RF(cpx) *)(input + r * 2 * (ncfft + 1)), ncfft, factors,
                 (const RF(cpx) *)twiddles, (const RF(cpx) *)twiddles + ncfft,
                 (RF(cpx) *)(output + r * params->fft_length));
#if !RF_FIXED
        {
            /* TFLM's float IRFFT divides by fft_length (kissfft leaves it unscaled). */
            RF_T *o = output + r * params->fft_length;
            const RF_T len = (RF_T)params->fft_length;
            int32_t i;
            for (i = 0; i < params->fft_length; ++i) {
                o[i] /= len;
            }
        }
#endif
    }
    return LWAI_OK;
}

#undef RF_SROUND
#undef RF_SMUL
#undef RF_FIXDIV
#undef RF_HALF
#undef RF_CMUL
#undef RF_CMUL_PARTS
#undef RF_ADD
#undef RF_SUB
#undef RF_CADD
#undef RF_CSUB
/* The caller's parameters, so the next instantiation can define them afresh. */
#undef RF
#undef RF_T
#undef RF_ACC
#undef RF_NARROW
#undef RF_FIXED
#undef RF_PROD
#undef RF_FRACBITS
#undef RF_SAMP_MAX
#undef RF_HALF_SUM
#undef RF_HALF_DIFF
