/* TFLite_Detection_PostProcess (TFLite Micro's custom op), float32: decode the box encodings
 * against the anchors (center-size to corners), then non-max suppression, as TFLM computes
 * it (lwai/frontend/detection_ops.py has the facts this follows):
 * - decoding in double (libm exp; lwai_math.h's own on LiteOS-M), each coordinate rounded
 *   to float, corners in float;
 * - a box is a candidate when its score >= nms_score_threshold; candidates are taken in
 *   decreasing score, ties in increasing box index (TFLM's stable merge sort); a taken box
 *   removes every later candidate whose IoU with it is > nms_iou_threshold (float IoU, 0 for
 *   a box of no area);
 * - fast NMS (one class per box): a box's score is its first highest class score;
 * - regular NMS: per class in turn, its taken boxes join the running list, which is then
 *   cut to the max_detections best (decreasing score, ties in list order);
 * - regular NMS zero-fills the rows past the count; TFLM's fast NMS leaves them unwritten,
 *   lwai writes zeros there too.
 * Scratch lives in the output buffer past the count (no allocation). */
#include <math.h>
#include <string.h>

#include "lwai/kernels.h"
#include "lwai_math.h"

typedef struct {
    float *decoded; /* [boxes][4] ymin, xmin, ymax, xmax */
    float *box_scores;
    float *keep_scores;
    int32_t *keep_index;
    int32_t *order;
    int32_t *tmp;
    int32_t *active;
    int32_t *selected;
    int32_t *best_class;
    int32_t *list_index;
    float *list_score;
    int32_t *perm;
    int32_t *cut_index;
    float *cut_score;
} dp_scratch;

int32_t lwai_detection_postprocess_f32_scratch(int32_t num_boxes, int32_t max_detections)
{
    return 11 * num_boxes + 4 * (max_detections + num_boxes) + 2 * max_detections;
}

/* int64: a graph file's dims are checked here before any int32 product of them */
static int64_t dp_count(const lwai_dims *d)
{
    return (int64_t)d->n * d->h * d->w * d->c;
}

/* Stable sort of idx[0, n) by decreasing values[idx[i]] (bottom-up merge through tmp). */
static void dp_sort_desc(const float *values, int32_t *idx, int32_t *tmp, int32_t n)
{
    int32_t width, lo, i;
    for (width = 1; width < n; width *= 2) {
        for (lo = 0; lo < n; lo += 2 * width) {
            const int32_t mid = lo + width < n ? lo + width : n;
            const int32_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            int32_t a = lo, b = mid, k = lo;
            while (a < mid && b < hi) {
                /* the right one goes first only when strictly greater: stable */
                tmp[k++] = values[idx[b]] > values[idx[a]] ? idx[b++] : idx[a++];
            }
            while (a < mid) {
                tmp[k++] = idx[a++];
            }
            while (b < hi) {
                tmp[k++] = idx[b++];
            }
        }
        for (i = 0; i < n; ++i) {
            idx[i] = tmp[i];
        }
    }
}

static float dp_iou(const float *boxes, int32_t i, int32_t j)
{
    const float *a = boxes + 4 * i;
    const float *b = boxes + 4 * j;
    const float area_a = (a[2] - a[0]) * (a[3] - a[1]);
    const float area_b = (b[2] - b[0]) * (b[3] - b[1]);
    float ymin, xmin, ymax, xmax, ih, iw, inter;
    if (area_a <= 0.0f || area_b <= 0.0f) {
        return 0.0f;
    }
    /* std::max(x, y) is x < y ? y : x, std::min(x, y) is y < x ? y : x: kept as such */
    ymin = a[0] < b[0] ? b[0] : a[0];
    xmin = a[1] < b[1] ? b[1] : a[1];
    ymax = b[2] < a[2] ? b[2] : a[2];
    xmax = b[3] < a[3] ? b[3] : a[3];
    ih = ymax - ymin;
    iw = xmax - xmin;
    ih = ih < 0.0f ? 0.0f : ih;
    iw = iw < 0.0f ? 0.0f : iw;
    inter = ih * iw;
    return inter / (area_a + area_b - inter);
}

/* Single-class NMS over scores[0, boxes): the taken box indices into s->selected, in taking
 * order; returns how many (at most limit). */
static int32_t dp_nms(const lwai_detection_postprocess_params *p, const dp_scratch *s,
                      const float *scores, int32_t boxes, int32_t limit)
{
    int32_t kept = 0, taken = 0, remaining, out_size, i, j;
    for (i = 0; i < boxes; ++i) {
        if (scores[i] >= p->nms_score_threshold) {
            s->keep_scores[kept] = scores[i];
            s->keep_index[kept] = i;
            ++kept;
        }
    }
    for (i = 0; i < kept; ++i) {
        s->order[i] = i;
        s->active[i] = 1;
    }
    dp_sort_desc(s->keep_scores, s->order, s->tmp, kept);
    out_size = kept < limit ? kept : limit;
    remaining = kept;
    for (i = 0; i < kept; ++i) {
        int32_t bi;
        if (remaining == 0 || taken >= out_size) {
            break;
        }
        if (!s->active[i]) {
            continue;
        }
        bi = s->keep_index[s->order[i]];
        s->selected[taken++] = bi;
        s->active[i] = 0;
        --remaining;
        for (j = i + 1; j < kept; ++j) {
            if (s->active[j] &&
                dp_iou(s->decoded, bi, s->keep_index[s->order[j]]) > p->nms_iou_threshold) {
                s->active[j] = 0;
                --remaining;
            }
        }
    }
    return taken;
}

static void dp_write(float *output, int32_t max_det, int32_t row, const float *box, float cls,
                     float score)
{
    memcpy(output + 4 * row, box, 4 * sizeof(float));
    output[4 * max_det + row] = cls;
    output[5 * max_det + row] = score;
}

lwai_status lwai_detection_postprocess_f32(const lwai_detection_postprocess_params *params,
                                           const lwai_dims *box_dims, const float *box_encodings,
                                           const lwai_dims *class_dims,
                                           const float *class_predictions,
                                           const lwai_dims *anchor_dims, const float *anchors,
                                           const lwai_dims *output_dims, float *output)
{
    static const float zero_box[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    const lwai_detection_postprocess_params *p = params;
    int32_t n, stride, kb, nc, off, max_det, i, count = 0;
    dp_scratch s;
    float *w;
    if (p == 0 || box_dims == 0 || class_dims == 0 || anchor_dims == 0 || output_dims == 0 ||
        box_encodings == 0 || class_predictions == 0 || anchors == 0 || output == 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    n = box_dims->w;
    stride = box_dims->c;
    kb = class_dims->c;
    nc = p->num_classes;
    off = kb - nc;
    max_det = p->max_detections;
    if (n < 1 || n > 0x1000000 || stride < 4 || max_det < 0 || max_det > 65535 ||
        dp_count(box_dims) != (int64_t)n * stride || dp_count(class_dims) != (int64_t)n * kb ||
        dp_count(anchor_dims) != (int64_t)n * 4 || nc < 1 || off < 0 || off > 1 ||
        p->detections_per_class < 1 ||
        !(p->nms_iou_threshold > 0.0f && p->nms_iou_threshold <= 1.0f) ||
        dp_count(output_dims) !=
            6 * (int64_t)max_det + 1 + lwai_detection_postprocess_f32_scratch(n, max_det)) {
        return LWAI_ERR_INVALID_ARG;
    }
    w = output + 6 * max_det + 1;
    s.decoded = w;
    w += 4 * n;
    s.box_scores = w;
    w += n;
    s.keep_scores = w;
    w += n;
    s.keep_index = (int32_t *)(void *)w;
    w += n;
    s.order = (int32_t *)(void *)w;
    w += n;
    s.active = (int32_t *)(void *)w;
    w += n;
    s.selected = (int32_t *)(void *)w;
    w += n;
    s.best_class = (int32_t *)(void *)w;
    w += n;
    s.tmp = (int32_t *)(void *)w;
    w += max_det + n;
    s.list_index = (int32_t *)(void *)w;
    w += max_det + n;
    s.list_score = w;
    w += max_det + n;
    s.perm = (int32_t *)(void *)w;
    w += max_det + n;
    s.cut_index = (int32_t *)(void *)w;
    w += max_det;
    s.cut_score = w;

    for (i = 0; i < n; ++i) {
        const float *e = box_encodings + i * stride;
        const float *a = anchors + 4 * i;
        float *box = s.decoded + 4 * i;
        const float yc = (float)((double)e[0] / (double)p->y_scale * (double)a[2] + (double)a[0]);
        const float xc = (float)((double)e[1] / (double)p->x_scale * (double)a[3] + (double)a[1]);
        const float hh = (float)(0.5 * lwai_exp((double)e[2] / (double)p->h_scale) * (double)a[2]);
        const float hw = (float)(0.5 * lwai_exp((double)e[3] / (double)p->w_scale) * (double)a[3]);
        box[0] = yc - hh;
        box[1] = xc - hw;
        box[2] = yc + hh;
        box[3] = xc + hw;
        if (box[0] >= box[2] || box[1] >= box[3]) {
            return LWAI_ERR_INVALID_ARG; /* TFLM's ValidateBoxes fails the invocation */
        }
    }

    if (!p->use_regular_nms) {
        int32_t taken;
        for (i = 0; i < n; ++i) {
            const float *row = class_predictions + i * kb + off;
            int32_t c, best = 0;
            for (c = 1; c < nc; ++c) {
                if (row[c] > row[best]) {
                    best = c;
                }
            }
            s.best_class[i] = best;
            s.box_scores[i] = row[best];
        }
        taken = dp_nms(p, &s, s.box_scores, n, max_det);
        for (i = 0; i < taken; ++i) {
            const int32_t b = s.selected[i];
            dp_write(output, max_det, i, s.decoded + 4 * b, (float)s.best_class[b],
                     s.box_scores[b]);
        }
        count = taken;
    } else {
        int32_t col, size = 0;
        for (col = 0; col < nc; ++col) {
            int32_t taken, total, keep, r;
            for (r = 0; r < n; ++r) {
                s.box_scores[r] = class_predictions[r * kb + col + off];
            }
            taken = dp_nms(p, &s, s.box_scores, n, p->detections_per_class);
            total = size;
            for (r = 0; r < taken; ++r) {
                const int32_t b = s.selected[r];
                s.list_index[total] = b * kb + col + off;
                s.list_score[total] = s.box_scores[b];
                ++total;
            }
            keep = total < max_det ? total : max_det;
            /* decreasing score, ties in list order: a stable sort of the list positions */
            for (r = 0; r < total; ++r) {
                s.perm[r] = r;
            }
            dp_sort_desc(s.list_score, s.perm, s.tmp, total);
            for (r = 0; r < keep; ++r) {
                s.cut_index[r] = s.list_index[s.perm[r]];
                s.cut_score[r] = s.list_score[s.perm[r]];
            }
            for (r = 0; r < keep; ++r) {
                s.list_index[r] = s.cut_index[r];
                s.list_score[r] = s.cut_score[r];
            }
            size = keep;
        }
        for (i = 0; i < size; ++i) {
            const int32_t anchor = s.list_index[i] / kb;
            const int32_t cls = s.list_index[i] - anchor * kb - off;
            dp_write(output, max_det, i, s.decoded + 4 * anchor, (float)cls, s.list_score[i]);
        }
        count = size;
    }
    for (i = count; i < max_det; ++i) {
        dp_write(output, max_det, i, zero_box, 0.0f, 0.0f);
    }
    output[6 * max_det] = (float)count;
    return LWAI_OK;
}
