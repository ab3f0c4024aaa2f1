/* files.c — files kept in the store; see files.h. */
#include "domain/files.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "core/util.h"

/* ---- what the bytes are ---- */

static unsigned be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* PNG: the signature, IHDR first (13 bytes, a size), IEND last — a cut-off upload is refused. */
static bool is_png(const unsigned char *p, size_t n, unsigned *w, unsigned *h)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	static const unsigned char iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
	if (n < 8 + 25 + 12 || memcmp(p, sig, 8) != 0 || be32(p + 8) != 13 || memcmp(p + 12, "IHDR", 4) != 0)
		return false;
	*w = be32(p + 16);
	*h = be32(p + 20);
	return *w && *h && *w <= 0x7fffffff && *h <= 0x7fffffff && memcmp(p + n - 12, iend, 12) == 0;
}

/* JPEG: SOI, then marker segments up to the start of scan; a frame header (SOFn) with the
 * size must come before it.  Standalone markers (RSTn, TEM) and fill bytes are skipped. */
static bool is_jpeg(const unsigned char *p, size_t n, unsigned *w, unsigned *h)
{
	if (n < 4 || p[0] != 0xff || p[1] != 0xd8 || p[2] != 0xff)
		return false;
	bool frame = false;
	size_t i = 2;
	while (i + 4 <= n) {
		if (p[i] != 0xff)
			return false;
		unsigned m = p[i + 1];
		if (m == 0xff) { /* fill */
			i++;
			continue;
		}
		if (m == 0x01 || (m >= 0xd0 && m <= 0xd7)) {
			i += 2;
			continue;
		}
		if (m == 0xd8 || m == 0xd9 || m == 0x00)
			return false;
		unsigned len = be16(p + i + 2);
		if (len < 2 || i + 2 + len > n)
			return false;
		if (m == 0xda) /* start of scan: the image data follows */
			return frame;
		bool sof = m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
		if (sof) {
			if (len < 8)
				return false;
			*h = be16(p + i + 5);
			*w = be16(p + i + 7);
			if (!*w || !*h)
				return false;
			frame = true;
		}
		i += 2 + len;
	}
	return false;
}

/* PDF: "%PDF-d.d" at the start and "%%EOF" in the last kilobyte (a whole file). */
static bool is_pdf(const unsigned char *p, size_t n)
{
	if (n < 16 || memcmp(p, "%PDF-", 5) != 0 || p[5] < '1' || p[5] > '2' || p[6] != '.' || p[7] < '0' || p[7] > '9')
		return false;
	size_t from = n > 1024 ? n - 1024 : 8;
	for (size_t i = n - 5; i + 1 > from; i--)
		if (!memcmp(p + i, "%%EOF", 5))
			return true;
	return false;
}

const char *files_sniff(const unsigned char *p, size_t n, unsigned *w, unsigned *h)
{
	*w = *h = 0;
	if (!p)
		return NULL;
	if (is_jpeg(p, n, w, h))
		return "image/jpeg";
	*w = *h = 0;
	if (is_png(p, n, w, h))
		return "image/png";
	*w = *h = 0;
	return is_pdf(p, n) ? "application/pdf" : NULL;
}

/* ---- names ---- */

static const struct {
	const char *type, *ext, *name;
} types[] = {
    {"image/jpeg", ".jpg", "照片"},
    {"image/png", ".png", "图片"},
    {"application/pdf", ".pdf", "文件"},
};

/* The name kept: the last part of what was sent (no directories), without its extension,
 * then the type's own extension. */
static werr name_for(arena *a, const char *given, const char *type, const char **out)
{
	size_t t = 0;
	while (strcmp(types[t].type, type) != 0)
		t++;
	if (!given || !*given) {
		*out = arena_printf(a, "%s%s", types[t].name, types[t].ext);
		return WG_OK;
	}
	size_t n = strlen(given);
	if (n > 200 || !utf8_valid(given, n) || !utf8_no_controls(given))
		return w_fail(W_EINVAL, "invalid_name", "name", "文件名须为 200 字节以内的文字 / the name must be text of at most 200 bytes");
	const char *base = given;
	for (const char *q = given; *q; q++)
		if (*q == '/' || *q == '\\')
			base = q + 1;
	char *stem = arena_strdup(a, base);
	char *dot = strrchr(stem, '.');
	if (dot && dot != stem)
		*dot = 0;
	*out = arena_printf(a, "%s%s", *stem && strcmp(stem, ".") != 0 ? stem : types[t].name, types[t].ext);
	return WG_OK;
}

/* ---- the store ---- */

static json_t *at_json(int64_t t)
{
	char b[32];
	fmt_time(t, b);
	return json_string(b);
}

werr files_list(const actor *ac, const char *kind, int64_t owner, json_t **out)
{
	db_stmt *s = db_get(ac->d, SQL_FILE_LIST);
	db_bind_text(s, 1, kind);
	db_bind_int(s, 2, owner);
	json_t *arr = json_array();
	werr e = WG_OK;
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW)
		json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:I,s:s,s:o,s:o}", "id", (json_int_t)db_int(s, 0), "name",
		                                     db_text(s, 1), "type", db_text(s, 2), "size", (json_int_t)db_int(s, 3),
		                                     "sha256", db_text(s, 4), "created_at", at_json(db_int(s, 5)), "by",
		                                     db_null(s, 6) ? json_null() : json_string(db_text(s, 6))));
	db_done(s);
	if (rc < 0) {
		json_decref(arr);
		return e;
	}
	*out = arr;
	return WG_OK;
}

static werr file_json(const actor *ac, const char *kind, int64_t owner, int64_t id, json_t **out)
{
	json_t *all = NULL;
	werr e = files_list(ac, kind, owner, &all);
	if (e)
		return e;
	size_t i;
	json_t *f;
	json_array_foreach(all, i, f) if (json_integer_value(json_object_get(f, "id")) == id)
	{
		*out = json_incref(f);
		json_decref(all);
		return WG_OK;
	}
	json_decref(all);
	return w_fail(W_EINTERNAL, "file_lost", "file", "file %lld not found after writing it", (long long)id);
}

werr files_add(const actor *ac, const char *kind, int64_t owner, const char *name, const void *data, size_t len,
               json_t **out, bool *fresh)
{
	*fresh = false;
	if (!data || !len)
		return w_fail(W_EINVAL, "required", "file", "请选择文件 / no file was sent");
	if (len > FILES_MAX)
		return w_fail(W_ETOOBIG, "file_too_large", "file", "文件超过 %d MB / the file is larger than %d MB",
		              FILES_MAX >> 20, FILES_MAX >> 20);
	unsigned w, h;
	const char *type = files_sniff(data, len, &w, &h);
	if (!type)
		return w_fail(W_EMEDIA, "file_type", "file",
		              "只收 JPEG、PNG 照片或 PDF 文件 / only JPEG or PNG images and PDF files are kept");
	if ((uint64_t)w * h > FILES_MAX_PIXELS)
		return w_fail(W_EINVAL, "image_too_large", "file", "图片像素过多 / the image has too many pixels (%ux%u)", w, h);
	const char *kept;
	werr e = name_for(ac->a, name, type, &kept);
	if (e)
		return e;
	unsigned char sum[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(sum, data, len);
	char hex[2 * crypto_hash_sha256_BYTES + 1];
	sodium_bin2hex(hex, sizeof hex, sum, sizeof sum);
	if ((e = db_begin(ac->d)))
		return e;
	int64_t id = 0, count = 0;
	db_stmt *s = db_get(ac->d, SQL_FILE_BY_SHA);
	db_bind_text(s, 1, kind);
	db_bind_int(s, 2, owner);
	db_bind_text(s, 3, hex);
	if ((e = db_scalar(s, &id)))
		goto fail;
	if (id) { /* the same bytes again (a retry): kept once */
		db_rollback(ac->d);
		return file_json(ac, kind, owner, id, out);
	}
	s = db_get(ac->d, SQL_FILE_COUNT);
	db_bind_text(s, 1, kind);
	db_bind_int(s, 2, owner);
	if ((e = db_scalar(s, &count)))
		goto fail;
	if (count >= FILES_PER_OWNER) {
		e = w_fail(W_ECONFLICT, "too_many_files", "file", "每条最多 %d 个附件 / at most %d files per record",
		           FILES_PER_OWNER, FILES_PER_OWNER);
		goto fail;
	}
	s = db_get(ac->d, SQL_FILE_INSERT);
	db_bind_text(s, 1, kind);
	db_bind_int(s, 2, owner);
	db_bind_text(s, 3, kept);
	db_bind_text(s, 4, type);
	db_bind_int(s, 5, (int64_t)len);
	db_bind_text(s, 6, hex);
	db_bind_blob(s, 7, data, len);
	db_bind_int(s, 8, now_s());
	if (ac->user_id)
		db_bind_int(s, 9, ac->user_id);
	if ((e = db_run(s, &id)) ||
	    (e = audit(ac, "create", "file", id, arena_printf(ac->a, "owner:%s/%lld,type:%s,size:%zu", kind, (long long)owner, type, len),
	               "ok")) ||
	    (e = db_commit(ac->d)))
		goto fail;
	*fresh = true;
	return file_json(ac, kind, owner, id, out);
fail:
	db_rollback(ac->d);
	return e;
}

werr files_get(const actor *ac, const char *kind, int64_t owner, int64_t id, file_bytes *f)
{
	*f = (file_bytes){0};
	db_stmt *s = db_get(ac->d, SQL_FILE_GET);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, kind);
	db_bind_int(s, 3, owner);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc == DB_ROW) {
		size_t n = 0;
		const void *p = db_blob(s, 4, &n);
		f->name = arena_strdup(ac->a, db_text(s, 0));
		f->type = arena_strdup(ac->a, db_text(s, 1));
		f->sha256 = arena_strdup(ac->a, db_text(s, 3));
		f->data = malloc(n ? n : 1);
		if (f->data && n)
			memcpy(f->data, p, n);
		f->len = n;
	}
	db_done(s);
	if (rc < 0)
		return e;
	if (rc != DB_ROW)
		return w_fail(W_ENOTFOUND, "file_not_found", "file", "没有这个附件 / no such file");
	if (!f->data)
		return w_fail(W_EINTERNAL, "out_of_memory", NULL, "out of memory");
	if ((e = audit(ac, "read", "file", id, arena_printf(ac->a, "owner:%s/%lld", kind, (long long)owner), "ok"))) {
		free(f->data);
		f->data = NULL;
		return e;
	}
	return WG_OK;
}
