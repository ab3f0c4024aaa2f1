/* chain.h — parsing a pasted WeChat group "chain" (接龙) of health reports, line by line.
 * Pure text work, no store: the domain matches each parsed line to a household.
 * Handles numbered prefixes ("1. ", "2、", "3)", "（4）"), full-width digits and
 * punctuation, traditional characters (converted to simplified through ICU), Chinese
 * numerals for head counts, and the address forms 3栋1504, 3号楼1504, 3幢1504, 3-1504,
 * 5-2-301, 5栋2单元301, "12栋 803". */
#ifndef WG_CHAIN_H
#define WG_CHAIN_H
#include <stdbool.h>
#include <stddef.h>

enum {
	SYM_FEVER = 1 << 0,       /* 发热 发烧 */
	SYM_COUGH = 1 << 1,       /* 咳嗽 */
	SYM_FATIGUE = 1 << 2,     /* 乏力 */
	SYM_CHEST = 1 << 3,       /* 胸闷 */
	SYM_THROAT = 1 << 4,      /* 咽痛 嗓子疼 喉咙痛 */
	SYM_DIARRHOEA = 1 << 5,   /* 腹泻 拉肚子 */
	SYM_SMELL_TASTE = 1 << 6, /* 嗅觉 味觉 (loss of) */
	SYM_OTHER = 1 << 7,       /* 不舒服 头痛 … */
};

enum { CHAIN_MAX_TEMPS = 8, CHAIN_MAX_NAMES = 4, CHAIN_MAX_LINES = 2000 };

typedef struct {
	size_t line;            /* 1-based line number in the pasted text */
	char text[256];         /* the original line, trimmed (truncated at a character boundary) */
	char building[16];      /* "3" — digits, "" when absent */
	char entrance[16];      /* "2" — digits, "" when absent */
	char room[16];          /* "1504" — digits (maybe with a trailing letter), "" when absent */
	int people;             /* head count stated ("一人", "两人", "3口人"), -1 when not said */
	int ntemps;
	double temps[CHAIN_MAX_TEMPS]; /* readings in the order written, 34.0–43.0 only */
	bool all_normal;        /* "体温正常", "正常", "均正常", "都正常", "无异常" */
	bool said_normal;       /* such a word was written, even beside a symptom ("体温正常 咳嗽") */
	int nnames;
	char names[CHAIN_MAX_NAMES][64]; /* Han personal names written in the line (2–4 chars) */
	unsigned symptoms;      /* SYM_* found in the line */
	const char *problem;    /* NULL when an address was found; else a static bilingual reason */
} chain_line;

/* Parse text (UTF-8, len bytes) into *out (malloc'd array of *n lines, caller frees).
 * Blank lines and lines without any digit or Han character are skipped (not returned);
 * every other line is returned, with problem set when it has no usable address.
 * Returns 0, or -1 when text is not UTF-8 or has more than CHAIN_MAX_LINES lines
 * (detail via w_fail, field "text"). */
int chain_parse(const char *text, size_t len, chain_line **out, size_t *n);
#endif
