/* The PDFium calls of pipeline/read/pdftext.py that run per object, per rectangle and per character,
 * made here in one call per page: a page's objects (`walk`), its text rectangles with each
 * one's first character (`geometry`), and each rectangle's text cut from the page text and
 * cleaned (`run_texts`); and layout.py's grouping of a page's runs into lines (`group_runs`).
 * The results equal those of the Python functions they stand for (page_objects, _rects,
 * _object_starts, _paired, _run_texts, layout._group_runs), which stay as the reference and
 * fallback; tests/test_fast_paths.py and tests/test_layout_paths.py compare the two on every
 * bundled PDF and on made-up input.
 *
 * PDFium is not linked: pdftext.py hands over the addresses of the functions pypdfium2 has
 * loaded (`bind`), with clean.clean_text and the characters it changes. Handles cross as
 * integers. Out-parameters are module-level, like the Python versions' reused ctypes values, so a
 * call that fails leaves the same values behind in both. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

typedef void *H;
static int (*count_objects)(H);
static H (*get_object)(H, int);
static int (*form_count)(H);
static H (*form_object)(H, unsigned long);
static int (*obj_type)(H);
static int (*obj_bounds)(H, float *, float *, float *, float *);
static H (*text_font)(H);
static int (*text_font_size)(H, float *);
static size_t (*font_name)(H, char *, size_t);
static int (*font_weight)(H);
static int (*count_rects)(H, int, int);
static int (*get_rect)(H, int, double *, double *, double *, double *);
static H (*char_object)(H, int);
static int (*char_box)(H, int, double *, double *, double *, double *);
static int TEXT, PATH, FORM, bound;
static PyObject *clean_text;     /* clean.clean_text, for the texts run_texts does not clean itself */
static unsigned char plain_char[0x300];  /* below U+0300: 1 if clean_text leaves the character as it is */

static float F[4];
static double D[4];
static char NAME[256];

static PyObject *bind(PyObject *self, PyObject *args) {
    unsigned long long a[14];
    PyObject *clean, *changed;
    if (!PyArg_ParseTuple(args, "(KKKKKKKKKKKKKK)iiiOU", &a[0], &a[1], &a[2], &a[3], &a[4], &a[5], &a[6],
                          &a[7], &a[8], &a[9], &a[10], &a[11], &a[12], &a[13], &TEXT, &PATH, &FORM, &clean,
                          &changed))
        return NULL;
    if (!PyCallable_Check(clean)) {
        PyErr_SetString(PyExc_TypeError, "clean_text must be callable");
        return NULL;
    }
    for (int i = 0; i < 14; i++)
        if (!a[i]) {
            PyErr_SetString(PyExc_ValueError, "a PDFium function address is missing");
            return NULL;
        }
    count_objects = (int (*)(H))(uintptr_t)a[0];
    get_object = (H(*)(H, int))(uintptr_t)a[1];
    form_count = (int (*)(H))(uintptr_t)a[2];
    form_object = (H(*)(H, unsigned long))(uintptr_t)a[3];
    obj_type = (int (*)(H))(uintptr_t)a[4];
    obj_bounds = (int (*)(H, float *, float *, float *, float *))(uintptr_t)a[5];
    text_font = (H(*)(H))(uintptr_t)a[6];
    text_font_size = (int (*)(H, float *))(uintptr_t)a[7];
    font_name = (size_t(*)(H, char *, size_t))(uintptr_t)a[8];
    font_weight = (int (*)(H))(uintptr_t)a[9];
    count_rects = (int (*)(H, int, int))(uintptr_t)a[10];
    get_rect = (int (*)(H, int, double *, double *, double *, double *))(uintptr_t)a[11];
    char_object = (H(*)(H, int))(uintptr_t)a[12];
    char_box = (int (*)(H, int, double *, double *, double *, double *))(uintptr_t)a[13];
    memset(plain_char, 1, sizeof plain_char);
    Py_ssize_t nchanged = PyUnicode_GET_LENGTH(changed);
    for (Py_ssize_t i = 0; i < nchanged; i++) {
        Py_UCS4 c = PyUnicode_READ_CHAR(changed, i);
        if (c < 0x300) plain_char[c] = 0;
    }
    Py_INCREF(clean);
    Py_XSETREF(clean_text, clean);
    bound = 1;
    Py_RETURN_NONE;
}

static int ready(void) {
    if (!bound) PyErr_SetString(PyExc_RuntimeError, "bind() has not been called");
    return bound;
}

/* b"bold" in name.lower() */
static int names_bold(const char *name) {
    size_t n = strlen(name);
    for (size_t i = 0; i + 4 <= n; i++) {
        if ((name[i] | 32) == 'b' && (name[i + 1] | 32) == 'o' && (name[i + 2] | 32) == 'l' &&
            (name[i + 3] | 32) == 'd')
            return 1;
    }
    return 0;
}

typedef struct { H font; int bold; } FontBold;

static int append_new(PyObject *list, PyObject *item) {
    if (!item) return -1;
    int r = PyList_Append(list, item);
    Py_DECREF(item);
    return r;
}

/* walk(page, height) -> (texts [(handle, bold, size)], horizontal [(y, x0, x1)], vertical
 * [(x, top, bottom)]): _page_objects. */
static PyObject *walk(PyObject *self, PyObject *args) {
    unsigned long long page_a;
    double height;
    if (!ready() || !PyArg_ParseTuple(args, "Kd", &page_a, &height)) return NULL;
    H page = (H)(uintptr_t)page_a;
    PyObject *texts = PyList_New(0), *hor = PyList_New(0), *ver = PyList_New(0);
    int count = count_objects(page);
    size_t cap = (count > 0 ? (size_t)count : 0) + 16, top_n = 0;
    H *stack = malloc(cap * sizeof(H));
    int *depth = malloc(cap * sizeof(int));
    FontBold *fonts = NULL;
    size_t nfonts = 0, fcap = 0;
    if (!texts || !hor || !ver || !stack || !depth) goto fail;
    for (int i = count - 1; i >= 0; i--) {
        stack[top_n] = get_object(page, i);
        depth[top_n++] = 1;
    }
    while (top_n) {
        H obj = stack[--top_n];
        int d = depth[top_n];
        int kind = obj_type(obj);
        if (kind == FORM) {
            if (d < 2) {
                int m = form_count(obj);
                if (m > 0 && top_n + (size_t)m > cap) {
                    cap = top_n + (size_t)m + 16;
                    H *s2 = realloc(stack, cap * sizeof(H));
                    if (!s2) goto fail;
                    stack = s2;
                    int *d2 = realloc(depth, cap * sizeof(int));
                    if (!d2) goto fail;
                    depth = d2;
                }
                for (int i = m - 1; i >= 0; i--) {
                    stack[top_n] = form_object(obj, (unsigned long)i);
                    depth[top_n++] = d + 1;
                }
            }
            continue;
        }
        if (kind == TEXT) {
            H font = text_font(obj);
            int bold = -1;
            for (size_t k = 0; k < nfonts; k++)
                if (fonts[k].font == font) { bold = fonts[k].bold; break; }
            if (bold < 0) {
                bold = 0;
                if (font) {
                    font_name(font, NAME, 256);
                    NAME[255] = 0;
                    bold = names_bold(NAME) || font_weight(font) >= 600;
                }
                if (nfonts == fcap) {
                    fcap = fcap ? 2 * fcap : 16;
                    FontBold *f2 = realloc(fonts, fcap * sizeof(FontBold));
                    if (!f2) goto fail;
                    fonts = f2;
                }
                fonts[nfonts].font = font;
                fonts[nfonts++].bold = bold;
            }
            text_font_size(obj, &F[0]);
            /* round(size, 1): size*10 is exact (a float's 24 bits times 10 fit a double), rint rounds
             * half to even as Python's round does, and the division is correctly rounded */
            double size = rint((double)F[0] * 10) / 10;
            if (append_new(texts, Py_BuildValue("(KOd)", (unsigned long long)(uintptr_t)obj,
                                                bold ? Py_True : Py_False, size)) < 0)
                goto fail;
            continue;
        }
        if (kind != PATH) continue;
        obj_bounds(obj, &F[0], &F[1], &F[2], &F[3]);
        double left = F[0], bottom = F[1], right = F[2], top = F[3];
        double w = right - left, h = top - bottom;
        if (h <= 2.5 && w >= 20) {
            if (append_new(hor, Py_BuildValue("(ddd)", (height - top + height - bottom) / 2, left, right)) < 0)
                goto fail;
        } else if (w <= 2.5 && h >= 6) {
            if (append_new(ver, Py_BuildValue("(ddd)", (left + right) / 2, height - top, height - bottom)) < 0)
                goto fail;
        }
    }
    free(stack);
    free(depth);
    free(fonts);
    return Py_BuildValue("(NNN)", texts, hor, ver);
fail:
    free(stack);
    free(depth);
    free(fonts);
    Py_XDECREF(texts);
    Py_XDECREF(hor);
    Py_XDECREF(ver);
    if (!PyErr_Occurred()) PyErr_NoMemory();
    return NULL;
}

/* --- object starts (_object_starts) ------------------------------------------------------- */

typedef struct { H handle; Py_ssize_t k; } Order;

typedef struct {
    H tp;
    int n;
    Py_ssize_t end;
    Order *order;  /* sorted by handle, then k: a handle's last k is its order (like a dict) */
    Py_ssize_t norder;
} Starts;

static int cmp_order(const void *a, const void *b) {
    const Order *x = a, *y = b;
    if (x->handle != y->handle) return (uintptr_t)x->handle < (uintptr_t)y->handle ? -1 : 1;
    return x->k < y->k ? -1 : x->k > y->k;
}

static Py_ssize_t order_of(const Starts *s, H h) {
    Py_ssize_t lo = 0, hi = s->norder;
    while (lo < hi) {  /* the first entry with a larger handle */
        Py_ssize_t mid = (lo + hi) / 2;
        if ((uintptr_t)s->order[mid].handle <= (uintptr_t)h) lo = mid + 1;
        else hi = mid;
    }
    return lo > 0 && s->order[lo - 1].handle == h ? s->order[lo - 1].k : -1;
}

/* (index, object order) of the first real character at or after i */
static void owner(const Starts *s, Py_ssize_t i, Py_ssize_t *at, Py_ssize_t *obj) {
    while (i < s->n) {
        H h = char_object(s->tp, (int)i);
        if (h) {
            *at = i;
            *obj = order_of(s, h);
            return;
        }
        i++;
    }
    *at = s->n;
    *obj = s->end;
}

static Py_ssize_t search(const Starts *s, Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t k) {
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2, at, obj;
        owner(s, mid, &at, &obj);
        if (obj < k) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* full.find("\r\n", lo) */
static Py_ssize_t find_break(PyObject *full, Py_ssize_t lo) {
    Py_ssize_t len = PyUnicode_GET_LENGTH(full);
    int kind = PyUnicode_KIND(full);
    const void *data = PyUnicode_DATA(full);
    if (lo < 0) lo = 0;
    for (Py_ssize_t i = lo; i + 1 < len; i++)
        if (PyUnicode_READ(kind, data, i) == '\r' && PyUnicode_READ(kind, data, i + 1) == '\n') return i;
    return -1;
}

/* 1 and the starts filled in, 0 if an object is not where expected, -1 on error */
static int object_starts(Starts *s, H *handles, PyObject *full, Py_ssize_t *starts) {
    Py_ssize_t lo = 0, len = PyUnicode_GET_LENGTH(full);
    for (Py_ssize_t k = 0; k < s->end; k++) {
        Py_ssize_t start = -1;
        if (k) {  /* _after_break */
            Py_ssize_t g = find_break(full, lo);
            if (!(g < 1 || g + 2 >= len) && char_object(s->tp, (int)(g - 1)) == handles[k - 1] &&
                char_object(s->tp, (int)(g + 1)) != handles[k] && char_object(s->tp, (int)(g + 2)) == handles[k])
                start = g + 2;
        }
        if (start < 0) {
            Py_ssize_t brk = find_break(full, lo), at, obj;
            at = search(s, lo, brk >= 0 ? brk + 2 : s->n, k);
            owner(s, at, &start, &obj);
            if (obj != k) owner(s, search(s, at, s->n, k), &start, &obj);
            if (obj != k) return 0;
        }
        starts[k] = start;
        lo = start + 1;
    }
    return 1;
}

/* geometry(textpage, n, texts, full) -> (rects [(left, bottom, right, top)], first character
 * of each rectangle's text object, or None): _rects, then _object_starts and _paired where
 * page_runs would call them. */
static PyObject *geometry(PyObject *self, PyObject *args) {
    unsigned long long tp_a;
    int n;
    PyObject *texts_list, *full;
    if (!ready() || !PyArg_ParseTuple(args, "KiO!U", &tp_a, &n, &PyList_Type, &texts_list, &full)) return NULL;
    H tp = (H)(uintptr_t)tp_a;
    int nrects = count_rects(tp, 0, -1);
    if (nrects < 0) nrects = 0;
    double *box = malloc(((size_t)nrects + 1) * 4 * sizeof(double));
    PyObject *rects = PyList_New(nrects);
    if (!box || !rects) goto fail;
    for (int i = 0; i < nrects; i++) {
        get_rect(tp, i, &D[0], &D[1], &D[2], &D[3]); /* left, top, right, bottom */
        double *b = box + 4 * (size_t)i;
        b[0] = D[0]; b[1] = D[3]; b[2] = D[2]; b[3] = D[1];
        PyObject *r = Py_BuildValue("(dddd)", b[0], b[1], b[2], b[3]);
        if (!r) goto fail;
        PyList_SET_ITEM(rects, i, r);
    }
    Py_ssize_t end = PyList_GET_SIZE(texts_list);
    if (end != nrects || PyUnicode_GET_LENGTH(full) != n) {
        free(box);
        return Py_BuildValue("(NO)", rects, Py_None);
    }
    H *handles = malloc(((size_t)end + 1) * sizeof(H));
    Order *order = malloc(((size_t)end + 1) * sizeof(Order));
    Py_ssize_t *starts = malloc(((size_t)end + 1) * sizeof(Py_ssize_t));
    if (!handles || !order || !starts) {
        free(handles); free(order); free(starts);
        goto fail;
    }
    for (Py_ssize_t k = 0; k < end; k++) {
        PyObject *t = PyList_GET_ITEM(texts_list, k);
        if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) < 1) {
            PyErr_SetString(PyExc_TypeError, "texts: (handle, bold, size) tuples expected");
            free(handles); free(order); free(starts);
            goto fail;
        }
        unsigned long long h = PyLong_AsUnsignedLongLong(PyTuple_GET_ITEM(t, 0));
        if (PyErr_Occurred()) {
            free(handles); free(order); free(starts);
            goto fail;
        }
        handles[k] = (H)(uintptr_t)h;
        order[k].handle = handles[k];
        order[k].k = k;
    }
    qsort(order, (size_t)end, sizeof(Order), cmp_order);
    Starts s = {tp, n, end, order, end};
    int found = object_starts(&s, handles, full, starts);
    if (found == 1) {  /* _paired: each rectangle holds its object's first character */
        for (Py_ssize_t k = 0; k < end; k++) {
            char_box(tp, (int)starts[k], &D[0], &D[1], &D[2], &D[3]); /* left, right, bottom, top */
            double x = (D[0] + D[1]) / 2, y = (D[2] + D[3]) / 2, *b = box + 4 * (size_t)k;
            if (!(b[0] - 2 <= x && x <= b[2] + 2 && b[1] - 2 <= y && y <= b[3] + 2)) {
                found = 0;
                break;
            }
        }
    }
    PyObject *firsts = Py_None;
    Py_INCREF(Py_None);
    if (found == 1) {
        Py_DECREF(Py_None);
        firsts = PyList_New(end);
        for (Py_ssize_t k = 0; firsts && k < end; k++) {
            PyObject *v = PyLong_FromSsize_t(starts[k]);
            if (!v) { Py_CLEAR(firsts); break; }
            PyList_SET_ITEM(firsts, k, v);
        }
    }
    free(handles); free(order); free(starts); free(box);
    if (!firsts) { Py_DECREF(rects); return NULL; }
    return Py_BuildValue("(NN)", rects, firsts);
fail:
    free(box);
    Py_XDECREF(rects);
    if (!PyErr_Occurred()) PyErr_NoMemory();
    return NULL;
}

/* --- run texts (_run_texts) --------------------------------------------------------------- */

/* Is clean_text(full[a:b]) full[a:b] with its outer white space stripped? So where every character
 * is below U+0300 (such a text is NFC: each is its own NFC form, of combining class 0 and the
 * second of no composition), none is one clean_text changes, and no two spaces follow each other. */
static int plain(int kind, const void *data, Py_ssize_t a, Py_ssize_t b) {
    Py_UCS4 prev = 0;
    for (Py_ssize_t i = a; i < b; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c >= 0x300 || !plain_char[c] || (c == ' ' && prev == ' ')) return 0;
        prev = c;
    }
    return 1;
}

/* clean_text(full[a:b]) */
static PyObject *cleaned(PyObject *full, int kind, const void *data, Py_ssize_t a, Py_ssize_t b) {
    if (plain(kind, data, a, b)) {
        while (a < b && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, a))) a++;
        while (b > a && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, b - 1))) b--;
        return PyUnicode_Substring(full, a, b);
    }
    PyObject *text = PyUnicode_Substring(full, a, b);
    if (!text) return NULL;
    PyObject *out = PyObject_CallOneArg(clean_text, text);
    Py_DECREF(text);
    if (out && !PyUnicode_Check(out)) {
        Py_DECREF(out);
        PyErr_SetString(PyExc_TypeError, "clean_text must return a str");
        return NULL;
    }
    return out;
}

/* run_texts(full, firsts, n) -> [cleaned text of each rectangle, or None where the page text
 * does not give it]: _run_texts. */
static PyObject *run_texts(PyObject *self, PyObject *args) {
    PyObject *full, *firsts;
    Py_ssize_t n;
    if (!ready() || !PyArg_ParseTuple(args, "UO!n", &full, &PyList_Type, &firsts, &n)) return NULL;
    Py_ssize_t count = PyList_GET_SIZE(firsts), len = PyUnicode_GET_LENGTH(full);
    int kind = PyUnicode_KIND(full);
    const void *data = PyUnicode_DATA(full);
    PyObject *out = PyList_New(count);
    if (!out) return NULL;
    Py_ssize_t first = count ? PyLong_AsSsize_t(PyList_GET_ITEM(firsts, 0)) : 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        Py_ssize_t end = i + 1 < count ? PyLong_AsSsize_t(PyList_GET_ITEM(firsts, i + 1)) : n;
        if (PyErr_Occurred()) goto fail;
        PyObject *text = NULL;
        if (0 <= first && first < end && end <= n && len == n) {
            Py_ssize_t b = end;  /* .rstrip(" \r\n\x02") */
            while (b > first) {
                Py_UCS4 c = PyUnicode_READ(kind, data, b - 1);
                if (c != ' ' && c != '\r' && c != '\n' && c != 2) break;
                b--;
            }
            int one_line = b > first;
            for (Py_ssize_t k = first; one_line && k < b; k++) {
                Py_UCS4 c = PyUnicode_READ(kind, data, k);
                if (c == '\r' || c == '\n') one_line = 0;
            }
            if (one_line && !(text = cleaned(full, kind, data, first, b))) goto fail;
        }
        if (!text) {
            text = Py_None;
            Py_INCREF(text);
        }
        PyList_SET_ITEM(out, i, text);
        first = end;
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

/* --- runs into lines (layout._group_runs) -------------------------------------------------- */

typedef struct {
    double mid;  /* round((top + bottom) / 2), as Python's round() gives it (half to even) */
    double x0, top, bottom;
    Py_ssize_t at;  /* place in the list: equal keys keep their order, as sorted() does */
} Placed;

static int cmp_placed(const void *a, const void *b) {
    const Placed *x = a, *y = b;
    if (x->mid != y->mid) return x->mid < y->mid ? -1 : 1;
    if (x->x0 != y->x0) return x->x0 < y->x0 ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* run.<name> as a double; 0 if it is not a float (then the Python function decides) */
static int float_attr(PyObject *run, PyObject *name, double *out) {
    PyObject *v = PyObject_GetAttr(run, name);
    if (!v) return -1;
    int ok = PyFloat_CheckExact(v);
    if (ok) *out = PyFloat_AS_DOUBLE(v);
    Py_DECREF(v);
    return ok;
}

static PyObject *s_top, *s_bottom, *s_x0;

/* group_runs(runs) -> the runs grouped into lines as layout._group_runs groups them, or None
 * where that function is left to decide: a coordinate that is not a float, a middle that
 * round() refuses (not finite) or a left edge that is NaN (sorted() of such keys is not a
 * plain order). */
static PyObject *group_runs(PyObject *self, PyObject *args) {
    PyObject *runs;
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &runs)) return NULL;
    if (!s_top && (!(s_top = PyUnicode_InternFromString("top")) || !(s_bottom = PyUnicode_InternFromString("bottom")) ||
                   !(s_x0 = PyUnicode_InternFromString("x0"))))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(runs), ngroups = 0;
    Placed *p = malloc(((size_t)n + 1) * sizeof(Placed));
    double *ref = malloc(((size_t)n + 1) * 3 * sizeof(double));  /* each group's first run: top, bottom, height */
    PyObject *groups = PyList_New(0);
    if (!p || !ref || !groups) goto fail;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *run = PyList_GET_ITEM(runs, i);
        int ok;
        if ((ok = float_attr(run, s_top, &p[i].top)) == 1 && (ok = float_attr(run, s_bottom, &p[i].bottom)) == 1)
            ok = float_attr(run, s_x0, &p[i].x0);
        if (ok < 0) goto fail;
        double mid = (p[i].top + p[i].bottom) / 2;
        if (!ok || !isfinite(mid) || isnan(p[i].x0)) {
            free(p); free(ref); Py_DECREF(groups);
            Py_RETURN_NONE;
        }
        p[i].mid = rint(mid);
        p[i].at = i;
    }
    qsort(p, (size_t)n, sizeof(Placed), cmp_placed);
    for (Py_ssize_t i = 0; i < n; i++) {
        double top = p[i].top, bottom = p[i].bottom, height = bottom - top;
        PyObject *run = PyList_GET_ITEM(runs, p[i].at);
        Py_ssize_t k = ngroups - 1, last = ngroups > 3 ? ngroups - 3 : 0;
        for (; k >= last; k--) {
            double rt = ref[3 * k], rb = ref[3 * k + 1], rh = ref[3 * k + 2];
            double overlap = (bottom < rb ? bottom : rb) - (top > rt ? top : rt);
            if (overlap >= 0.5 * (height < rh ? height : rh)) break;
        }
        if (k >= last && ngroups) {
            if (PyList_Append(PyList_GET_ITEM(groups, k), run) < 0) goto fail;
        } else {
            PyObject *group = PyList_New(1);
            if (!group) goto fail;
            Py_INCREF(run);
            PyList_SET_ITEM(group, 0, run);
            if (append_new(groups, group) < 0) goto fail;
            ref[3 * ngroups] = top;
            ref[3 * ngroups + 1] = bottom;
            ref[3 * ngroups + 2] = height;
            ngroups++;
        }
    }
    free(p);
    free(ref);
    return groups;
fail:
    free(p);
    free(ref);
    Py_XDECREF(groups);
    if (!PyErr_Occurred()) PyErr_NoMemory();
    return NULL;
}

static PyMethodDef methods[] = {
    {"bind", bind, METH_VARARGS,
     "bind(addresses, TEXT, PATH, FORM, clean_text, changed): the PDFium functions to call, clean_text and the "
     "characters it changes."},
    {"walk", walk, METH_VARARGS, "walk(page, height) -> (texts, horizontal, vertical)"},
    {"geometry", geometry, METH_VARARGS, "geometry(textpage, n, texts, full) -> (rects, firsts | None)"},
    {"run_texts", run_texts, METH_VARARGS, "run_texts(full, firsts, n) -> [cleaned text or None]"},
    {"group_runs", group_runs, METH_VARARGS, "group_runs(runs) -> [[run, ...] per line] or None"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_pdfpage", NULL, -1, methods};

PyMODINIT_FUNC PyInit__pdfpage(void) { return PyModule_Create(&module); }
