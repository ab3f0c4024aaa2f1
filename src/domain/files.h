/* files.h — files kept in the store (附件): a notice's letter or poster, a help request's
 * photos, later a supply receipt's photo.  One table (`files`: the bytes with their type,
 * size, SHA-256, who and when), one API shape (docs/api.md section 14):
 *   POST /api/v1/<records>/{id}/files   the bytes as application/octet-stream, the name in
 *                                       X-File-Name (percent-encoded UTF-8)
 *   GET  /api/v1/<records>/{id}/files/{file}   the bytes, with their Content-Type, an
 *                                       attachment's Content-Disposition and nosniff
 * and the record's JSON lists its files ({id,name,type,size,sha256,created_at,by}).
 *
 * A file belongs to one record (owner kind + id).  This module checks no scope: the
 * owner's module loads its record for the actor first (so a file is seen exactly by whoever
 * sees its record — a 404 otherwise, as for the record) and then calls files_add or
 * files_get, which write the audit rows (`file`, with the owner in the fields).
 * What is kept is judged by its bytes, never by its name: JPEG, PNG or PDF, each parsed far
 * enough to be sure (files_sniff; fuzz/fuzz_sniff.c), at most FILES_MAX bytes, at most
 * FILES_PER_OWNER per record; the same bytes sent twice to one record (a phone's retry)
 * are kept once.  The stored name gets the extension of the type found. */
#ifndef WG_FILES_H
#define WG_FILES_H
#include <jansson.h>
#include <stddef.h>

#include "domain/actor.h"

enum {
	FILES_MAX = 5 * 1024 * 1024, /* bytes per file (a phone photo, a scanned letter) */
	FILES_PER_OWNER = 10,
	FILES_MAX_PIXELS = 50 * 1000 * 1000, /* an image no phone's browser chokes on */
};

/* What the bytes are: "image/jpeg", "image/png", "application/pdf", or NULL when they are
 * none of them (or a broken one).  An image's size in pixels into *w, *h (0 for a PDF).
 * Pure; reads only p[0..n). */
const char *files_sniff(const unsigned char *p, size_t n, unsigned *w, unsigned *h);

/* Keep data as a file of the record (kind, owner).  name may be NULL (a name is made from
 * the type).  Errors name the field "file" (missing, too large, not an allowed type, too
 * many) or "name".  *out gets the file's JSON; *fresh false when the same bytes were there. */
werr files_add(const actor *ac, const char *kind, int64_t owner, const char *name, const void *data, size_t len,
               json_t **out, bool *fresh);
/* The files of a record, oldest first (a JSON array; a failed read is the error). */
werr files_list(const actor *ac, const char *kind, int64_t owner, json_t **out);

typedef struct {
	char *data; /* malloc'd: the caller frees it (or hands it to the answer) */
	size_t len;
	const char *name, *type, *sha256; /* in ac->a */
} file_bytes;
/* One file of the record (404 on field "file" when it is not one of the record's). */
werr files_get(const actor *ac, const char *kind, int64_t owner, int64_t id, file_bytes *f);
#endif
