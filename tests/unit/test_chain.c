/* test_chain.c — the WeChat 接龙 parser: a table of real-looking report lines with their
 * exact expected reading (address, head count, temperatures, names, normal statement,
 * symptoms, problem), lines that must not match, and the paste as a whole: line
 * numbers over blank lines and CRLF, the line limit, invalid UTF-8, threads. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/chain.h"
#include "core/err.h"
#include "core/utf8.h"

enum { P_NONE, P_NOADDR, P_NOROOM, P_EXAMPLE, SKIP };

typedef struct {
	const char *in;
	const char *b, *e, *r;
	int people;
	double t[CHAIN_MAX_TEMPS + 1]; /* 0-terminated */
	const char *names[CHAIN_MAX_NAMES + 1];
	bool normal;
	unsigned sym;
	int problem; /* P_NONE, P_NOADDR, P_NOROOM, P_EXAMPLE, or SKIP: the line is not returned */
} chain_case;

#define T(...)                                                                                               \
	{                                                                                                    \
		__VA_ARGS__                                                                                  \
	}
#define N(...)                                                                                               \
	{                                                                                                    \
		__VA_ARGS__                                                                                  \
	}

static const chain_case cases[] = {
    /* the seed reports */
    {"3栋1504，一人，体温正常", "3", "", "1504", 1, T(0), N(0), true, 0, P_NONE},
    {"4栋507，两人，体温正常", "4", "", "507", 2, T(0), N(0), true, 0, P_NONE},
    {"4栋507 两人 36.5 36.8", "4", "", "507", 2, T(36.5, 36.8), N(0), false, 0, P_NONE},
    {"5-2-301 王梅 36.6", "5", "2", "301", -1, T(36.6), N("王梅"), false, 0, P_NONE},
    {"12栋 803 三口人正常", "12", "", "803", 3, T(0), N(0), true, 0, P_NONE},
    {"1. 3栋1504 一人 正常", "3", "", "1504", 1, T(0), N(0), true, 0, P_NONE},
    {"2、5栋2单元301 李建国36.5 张桂英36.7", "5", "2", "301", -1, T(36.5, 36.7), N("李建国", "张桂英"), false,
     0, P_NONE},
    {"１２棟８０３　三口人體溫正常", "12", "", "803", 3, T(0), N(0), true, 0, P_NONE},
    {"3号楼1504 36.6 37.8 咳嗽", "3", "", "1504", -1, T(36.6, 37.8), N(0), false, SYM_COUGH, P_NONE},
    {"7幢602：2人 36.3/36.5", "7", "", "602", 2, T(36.3, 36.5), N(0), false, 0, P_NONE},
    {"9-1-1101 全家正常", "9", "1", "1101", -1, T(0), N(0), true, 0, P_NONE},
    {"14栋 2单元 502 一家三口 均正常", "14", "2", "502", 3, T(0), N(0), true, 0, P_NONE},

    /* address forms */
    {"3-1504 两人 36.5 36.6", "3", "", "1504", 2, T(36.5, 36.6), N(0), false, 0, P_NONE},
    {"3栋2-301 一人", "3", "2", "301", 1, T(0), N(0), false, 0, P_NONE},
    {"3#1504 一人", "3", "", "1504", 1, T(0), N(0), false, 0, P_NONE},
    {"3 栋 1504 一人", "3", "", "1504", 1, T(0), N(0), false, 0, P_NONE},
    {"3栋1504室 一人", "3", "", "1504", 1, T(0), N(0), false, 0, P_NONE},
    {"3栋12号 一人", "3", "", "12", 1, T(0), N(0), false, 0, P_NONE},
    {"3栋1504A 王梅36.5度 李四37.2℃ 嗅觉正常", "3", "", "1504A", -1, T(36.5, 37.2), N("王梅", "李四"), true,
     0, P_NONE},
    {"17幢1001室 王梅 36.5", "17", "", "1001", -1, T(36.5), N("王梅"), false, 0, P_NONE},
    {"19号楼3单元502 一人独居 正常", "19", "3", "502", 1, T(0), N(0), true, 0, P_NONE},
    {"15栋2-1002 一人 36.6°C", "15", "2", "1002", 1, T(36.6), N(0), false, 0, P_NONE},
    {"（4）8栋 1-1203 3人 体温36.4 36.5 36.6", "8", "1", "1203", 3, T(36.4, 36.5, 36.6), N(0), false, 0,
     P_NONE},
    {"1单元301 两人", "", "1", "301", 2, T(0), N(0), false, 0, P_NONE},
    {"1504 一人 正常", "", "", "1504", 1, T(0), N(0), true, 0, P_NONE},
    {"2020-02-17 3-1504", "3", "", "1504", -1, T(0), N(0), false, 0, P_NONE},
    {"2月17号 3号1504", "3", "", "1504", -1, T(0), N(0), false, 0, P_NONE},
    {"11-2-1801 3口人 36.5/36.6/36.7", "11", "2", "1801", 3, T(36.5, 36.6, 36.7), N(0), false, 0, P_NONE},
    {"10栋3单元1102，三人，36.5，36.6，36.4", "10", "3", "1102", 3, T(36.5, 36.6, 36.4), N(0), false, 0,
     P_NONE},

    /* numbered prefixes */
    {"1) 3栋1504 一人", "3", "", "1504", 1, T(0), N(0), false, 0, P_NONE},
    {"（1）3栋1504 一人", "3", "", "1504", 1, T(0), N(0), false, 0, P_NONE},
    {"(3) 8栋1单元1203 欧阳娜娜 36.4 四口人 均无异常", "8", "1", "1203", 4, T(36.4), N("欧阳娜娜"), true, 0,
     P_NONE},
    {"5，8栋1203 一人 36.7°", "8", "", "1203", 1, T(36.7), N(0), false, 0, P_NONE},
    {"1.3栋1504 一人", "3", "", "1504", 1, T(0), N(0), false, 0, P_NONE},
    {"10. 3-1504 两人 36.5 36.6", "3", "", "1504", 2, T(36.5, 36.6), N(0), false, 0, P_NONE},
    {"128、6栋602 一人", "6", "", "602", 1, T(0), N(0), false, 0, P_NONE},

    /* full-width, traditional, emoji */
    {"３栋１５０４　１人　３６．５", "3", "", "1504", 1, T(36.5), N(0), false, 0, P_NONE},
    {"5棟2單元301 陳建國36.5 發燒", "5", "2", "301", -1, T(36.5), N("陈建国"), false, SYM_FEVER, P_NONE},
    {"3栋1504 一人 正常😷", "3", "", "1504", 1, T(0), N(0), true, 0, P_NONE},
    {"🏠3栋1504👨‍👩‍👧 三口人 都正常👍", "3", "", "1504", 3, T(0), N(0), true, 0,
     P_NONE},

    /* head counts */
    {"3栋1504 4口人 都正常", "3", "", "1504", 4, T(0), N(0), true, 0, P_NONE},
    {"3栋1504 共3人 体温正常", "3", "", "1504", 3, T(0), N(0), true, 0, P_NONE},
    {"3栋1504 俩人 正常", "3", "", "1504", 2, T(0), N(0), true, 0, P_NONE},
    {"3栋1504 十二人", "3", "", "1504", 12, T(0), N(0), false, 0, P_NONE},
    {"18栋903 一家四口 体温都正常", "18", "", "903", 4, T(0), N(0), true, 0, P_NONE},
    {"6栋602 二人 36.5 36.4", "6", "", "602", 2, T(36.5, 36.4), N(0), false, 0, P_NONE},

    /* temperatures */
    {"3栋1504 36.5 13812345678", "3", "", "1504", -1, T(36.5), N(0), false, 0, P_NONE},
    {"3栋1504 体温36.5 时间7:30", "3", "", "1504", -1, T(36.5), N(0), false, 0, P_NONE},
    {"3栋1504 体温42.9 43.1 33.9", "3", "", "1504", -1, T(42.9), N(0), false, 0, P_NONE},
    {"3栋1504 36.50 36.55", "3", "", "1504", -1, T(36.5, 36.55), N(0), false, 0, P_NONE},
    {"3栋1504 36.555", "3", "", "1504", -1, T(0), N(0), false, 0, P_NONE},
    {"3栋1504 37度", "3", "", "1504", -1, T(37.0), N(0), false, 0, P_NONE},
    {"7:30 量体温 3栋1504 36度5", "3", "", "1504", -1, T(36.5), N(0), false, 0, P_NONE},
    {"3栋1504 1人 36.5度 正常 无发热", "3", "", "1504", 1, T(36.5), N(0), true, 0, P_NONE},
    {"3栋1504 36,5", "3", "", "1504", -1, T(0), N(0), false, 0, P_NONE},

    /* names */
    {"3栋1504 王梅 体温36.5 李建国 36.6", "3", "", "1504", -1, T(36.5, 36.6), N("王梅", "李建国"), false, 0,
     P_NONE},
    {"8-3-702 梁秀琴 36.2 崔庆华 36.4 全家正常", "8", "3", "702", -1, T(36.2, 36.4), N("梁秀琴", "崔庆华"),
     true, 0, P_NONE},
    {"3栋1504 司马光36.5 诸葛亮 36.6", "3", "", "1504", -1, T(36.5, 36.6), N("司马光", "诸葛亮"), false, 0,
     P_NONE},
    {"3栋1504 张无忌 36.5", "3", "", "1504", -1, T(36.5), N("张无忌"), false, 0, P_NONE},
    {"3栋1504 王梅在家", "3", "", "1504", -1, T(0), N("王梅"), false, 0, P_NONE},
    {"3栋1504 王 36.5", "3", "", "1504", -1, T(36.5), N(0), false, 0, P_NONE},
    {"3栋1504 王梅 36.6 李建国 37.8 咳嗽 张桂英 36.5", "3", "", "1504", -1, T(36.6, 37.8, 36.5),
     N("王梅", "李建国", "张桂英"), false, SYM_COUGH, P_NONE},
    {"3栋1504 早晚测温 36.5 36.6 全家正常", "3", "", "1504", -1, T(36.5, 36.6), N(0), true, 0, P_NONE},

    /* symptoms and their negation */
    {"6栋 602 两人 37.5 38.1 发烧 咳嗽", "6", "", "602", 2, T(37.5, 38.1), N(0), false, SYM_FEVER | SYM_COUGH,
     P_NONE},
    {"6栋602 一人 36.5 无咳嗽乏力", "6", "", "602", 1, T(36.5), N(0), false, 0, P_NONE},
    {"2栋 1201 李建国 体温37.3 咳嗽 胸闷", "2", "", "1201", -1, T(37.3), N("李建国"), false,
     SYM_COUGH | SYM_CHEST, P_NONE},
    {"3栋1504 老人发烧38.5 嗓子疼 拉肚子", "3", "", "1504", -1, T(38.5), N(0), false,
     SYM_FEVER | SYM_THROAT | SYM_DIARRHOEA, P_NONE},
    {"3栋1504 高烧39.2 呼吸困难 乏力", "3", "", "1504", -1, T(39.2), N(0), false,
     SYM_FEVER | SYM_CHEST | SYM_FATIGUE, P_NONE},
    {"3栋1504 无发热、咳嗽、乏力", "3", "", "1504", -1, T(0), N(0), false, 0, P_NONE},
    {"9栋1单元301 两人 体温正常 无发热 无咳嗽", "9", "1", "301", 2, T(0), N(0), true, 0, P_NONE},
    {"3栋1504 体温不正常", "3", "", "1504", -1, T(0), N(0), false, SYM_OTHER, P_NONE},
    {"3栋1504 有点咳", "3", "", "1504", -1, T(0), N(0), false, SYM_COUGH, P_NONE},
    {"3栋1504 头疼 鼻塞", "3", "", "1504", -1, T(0), N(0), false, SYM_OTHER, P_NONE},
    {"3栋1504 体温36.8 有点不舒服", "3", "", "1504", -1, T(36.8), N(0), false, SYM_OTHER, P_NONE},
    {"3栋1504 没有味觉", "3", "", "1504", -1, T(0), N(0), false, SYM_SMELL_TASTE, P_NONE},
    {"3栋1504 嗅觉味觉均正常", "3", "", "1504", -1, T(0), N(0), true, 0, P_NONE},
    {"3栋1504 无异常", "3", "", "1504", -1, T(0), N(0), true, 0, P_NONE},
    {"3栋1504 正常 咳嗽", "3", "", "1504", -1, T(0), N(0), false, SYM_COUGH, P_NONE},

    /* more households as written in the groups */
    {"10栋1单元301 张秀英 36.2 王建华 36.5 孙子 36.4", "10", "1", "301", -1, T(36.2, 36.5, 36.4),
     N("张秀英", "王建华"), false, 0, P_NONE},
    {"5栋 1003 高建国 36.6 高秀兰 36.8", "5", "", "1003", -1, T(36.6, 36.8), N("高建国", "高秀兰"), false, 0,
     P_NONE},
    {"6栋601 独居老人 周桂芝 36.3", "6", "", "601", -1, T(36.3), N("周桂芝"), false, 0, P_NONE},
    {"3-2-402 田丽 36.5 金明 36.7", "3", "2", "402", -1, T(36.5, 36.7), N("田丽", "金明"), false, 0, P_NONE},
    {"@网格员小李 3栋1504今天没测", "3", "", "1504", -1, T(0), N(0), false, 0, P_NONE},
    {"11栋2单元1801 刘洋 37.5 有点咳嗽 已告知社区", "11", "2", "1801", -1, T(37.5), N("刘洋"), false,
     SYM_COUGH, P_NONE},
    {"12号楼2单元602 李 36.5", "12", "2", "602", -1, T(36.5), N(0), false, 0, P_NONE},
    {"3栋1504 两人 体温正常 （王梅 李建国）", "3", "", "1504", 2, T(0), N("王梅", "李建国"), true, 0, P_NONE},
    {"2栋302 3口 正常", "2", "", "302", 3, T(0), N(0), true, 0, P_NONE},

    /* no usable address */
    {"例：3栋1504 一人 体温正常", "", "", "", 1, T(0), N(0), true, 0, P_EXAMPLE},
    {"格式:楼栋+房号+人数+体温", "", "", "", -1, T(0), N(0), false, 0, P_EXAMPLE},
    {"请各位居民每天上午10点前接龙报体温", "", "", "", -1, T(0), N(0), false, 0, P_NOADDR},
    {"接龙 2月17日 第二网格", "", "", "", -1, T(0), N(0), false, 0, P_NOADDR},
    {"#接龙", "", "", "", -1, T(0), N(0), false, 0, P_NOADDR},
    {"@谢玉娇 收到", "", "", "", -1, T(0), N(0), false, 0, P_NOADDR},
    {"@3栋1504王梅 收到", "", "", "", -1, T(0), N(0), false, 0, P_NOADDR},
    {"收到", "", "", "", -1, T(0), N(0), false, 0, P_NOADDR},
    {"好的谢谢", "", "", "", -1, T(0), N(0), false, 0, P_NOADDR},
    {"13812345678", "", "", "", -1, T(0), N(0), false, 0, P_NOADDR},
    {"联系电话 138-1234-5678", "", "", "", -1, T(0), N(0), false, 0, P_NOADDR},
    {"2月17日 7:30 测体温", "", "", "", -1, T(0), N(0), false, 0, P_NOADDR},
    {"今天 7:30 前请大家接龙", "", "", "", -1, T(0), N(0), false, 0, P_NOADDR},
    {"体温正常，无发热咳嗽等症状", "", "", "", -1, T(0), N(0), true, 0, P_NOADDR},
    {"王梅 36,5", "", "", "", -1, T(0), N("王梅"), false, 0, P_NOADDR},
    {"3号 两人", "", "", "", 2, T(0), N(0), false, 0, P_NOADDR},
    {"A栋1504", "", "", "", -1, T(0), N(0), false, 0, P_NOADDR},
    {"武汉加油", "", "", "", -1, T(0), N(0), false, 0, P_NOADDR},
    {"1.", "", "", "", -1, T(0), N(0), false, 0, P_NOADDR},
    {"3栋 一人", "3", "", "", 1, T(0), N(0), false, 0, P_NOROOM},
    {"3栋1单元 两人", "3", "1", "", 2, T(0), N(0), false, 0, P_NOROOM},
    {"3栋 36.5", "3", "", "", -1, T(36.5), N(0), false, 0, P_NOROOM},

    /* skipped: nothing but blanks, emoji, Latin or punctuation */
    {"", NULL, NULL, NULL, 0, T(0), N(0), false, 0, SKIP},
    {"　 \t ", NULL, NULL, NULL, 0, T(0), N(0), false, 0, SKIP},
    {"👍👍", NULL, NULL, NULL, 0, T(0), N(0), false, 0, SKIP},
    {"OK!", NULL, NULL, NULL, 0, T(0), N(0), false, 0, SKIP},
    {"------", NULL, NULL, NULL, 0, T(0), N(0), false, 0, SKIP},
};

/* Parses c->in alone and checks every field. */
static void check_case(const chain_case *c)
{
	chain_line *l = NULL;
	size_t n = 99;

	if (chain_parse(c->in, strlen(c->in), &l, &n) != 0)
		fail_msg("%s: chain_parse failed: %s", c->in, w_last()->message);
	if (c->problem == SKIP) {
		if (n != 0)
			fail_msg("%s: should be skipped", c->in);
		assert_null(l);
		return;
	}
	if (n != 1)
		fail_msg("%s: %zu lines", c->in, n);
	const chain_line *g = &l[0];
	assert_int_equal(g->line, 1);
	if (strcmp(g->building, c->b) || strcmp(g->entrance, c->e) || strcmp(g->room, c->r))
		fail_msg("%s: address %s/%s/%s, want %s/%s/%s", c->in, g->building, g->entrance, g->room,
		         c->b, c->e, c->r);
	if (g->people != c->people)
		fail_msg("%s: people %d, want %d", c->in, g->people, c->people);
	int nt = 0;
	while (c->t[nt] != 0)
		nt++;
	if (g->ntemps != nt)
		fail_msg("%s: %d temperatures, want %d", c->in, g->ntemps, nt);
	for (int i = 0; i < nt; i++)
		if (g->temps[i] != c->t[i])
			fail_msg("%s: temperature %d is %.2f, want %.2f", c->in, i, g->temps[i], c->t[i]);
	int nn = 0;
	while (nn < CHAIN_MAX_NAMES && c->names[nn])
		nn++;
	if (g->nnames != nn)
		fail_msg("%s: %d names (first %s), want %d", c->in, g->nnames, g->nnames ? g->names[0] : "-",
		         nn);
	for (int i = 0; i < nn; i++)
		if (strcmp(g->names[i], c->names[i]))
			fail_msg("%s: name %d is %s, want %s", c->in, i, g->names[i], c->names[i]);
	if (g->all_normal != c->normal)
		fail_msg("%s: all_normal %d, want %d", c->in, g->all_normal, c->normal);
	if (g->symptoms != c->sym)
		fail_msg("%s: symptoms %#x, want %#x", c->in, g->symptoms, c->sym);
	switch (c->problem) {
	case P_NONE:
		if (g->problem)
			fail_msg("%s: unexpected problem %s", c->in, g->problem);
		break;
	case P_NOADDR:
		if (!g->problem || !strstr(g->problem, "no building and room"))
			fail_msg("%s: problem %s, want no address", c->in, g->problem ? g->problem : "NULL");
		break;
	case P_EXAMPLE:
		if (!g->problem || !strstr(g->problem, "example"))
			fail_msg("%s: problem %s, want example", c->in, g->problem ? g->problem : "NULL");
		break;
	default:
		if (!g->problem || !strstr(g->problem, "no room"))
			fail_msg("%s: problem %s, want no room", c->in, g->problem ? g->problem : "NULL");
		break;
	}
	free(l);
}

static void test_table(void **state)
{
	(void)state;
	size_t n = sizeof cases / sizeof *cases;
	assert_true(n >= 60);
	for (size_t i = 0; i < n; i++)
		check_case(&cases[i]);
}

/* text is the original line, trimmed: not normalised, not converted. */
static void test_text(void **state)
{
	(void)state;
	chain_line *l;
	size_t n;
	const char *in = "　 １２棟８０３　三口人體溫正常 \t\r\n"
	                 "\xEF\xBB\xBF"
	                 "3栋1504\t一人\x01正常\x7f";
	assert_int_equal(chain_parse(in, strlen(in), &l, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(l[0].text, "１２棟８０３　三口人體溫正常");
	assert_string_equal(l[1].text, "3栋1504 一人 正常"); /* controls shown as spaces */
	assert_string_equal(l[1].room, "1504");
	assert_true(l[1].all_normal);
	free(l);

	/* a long line is cut at a character boundary */
	char big[2048] = "3栋1504 ";
	while (strlen(big) + 7 <= sizeof big)
		strcat(big, "王梅");
	assert_int_equal(chain_parse(big, strlen(big), &l, &n), 0);
	assert_int_equal(n, 1);
	size_t tl = strlen(l[0].text);
	assert_true(tl < sizeof l[0].text && tl > sizeof l[0].text - 4);
	assert_true(utf8_valid(l[0].text, tl));
	assert_memory_equal(l[0].text, big, tl);
	assert_string_equal(l[0].room, "1504");
	assert_int_equal(l[0].nnames, 0);
	free(l);
}

/* Line numbers over blank lines, CRLF, lone CR, a BOM and skipped lines. */
static void test_lines(void **state)
{
	(void)state;
	chain_line *l;
	size_t n;
	const char *paste = "\xEF\xBB\xBF"
	                    "接龙 2月17日 第二网格\r\n"    /* 1 */
	                    "\r\n"                         /* 2 */
	                    "1. 3栋1504 一人 正常\r\n"     /* 3 */
	                    "   \r\n"                      /* 4 */
	                    "2. 4栋507 两人 36.5 36.8\r\n" /* 5 */
	                    "👍\r\n"                        /* 6 */
	                    "3. 5-2-301 王梅 36.6\r"       /* 7 */
	                    "4. 12栋 803 三口人正常\n"     /* 8 */
	                    "\n"                           /* 9 */
	                    "\n"                           /* 10 */
	                    "5. 9-1-1101 全家正常";        /* 11 */
	assert_int_equal(chain_parse(paste, strlen(paste), &l, &n), 0);
	assert_int_equal(n, 6);
	const size_t want[] = {1, 3, 5, 7, 8, 11};
	const char *rooms[] = {"", "1504", "507", "301", "803", "1101"};
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(l[i].line, want[i]);
		assert_string_equal(l[i].room, rooms[i]);
	}
	assert_non_null(l[0].problem);
	assert_string_equal(l[0].text, "接龙 2月17日 第二网格");
	assert_string_equal(l[3].text, "3. 5-2-301 王梅 36.6");
	free(l);

	/* nothing to return */
	l = (chain_line *)&n;
	assert_int_equal(chain_parse("", 0, &l, &n), 0);
	assert_null(l);
	assert_int_equal(n, 0);
	assert_int_equal(chain_parse(NULL, 0, &l, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(chain_parse("\n\n  \r\n👍\n", strlen("\n\n  \r\n👍\n"), &l, &n), 0);
	assert_null(l);
	assert_int_equal(n, 0);

	/* a NUL inside the text is a control character, not the end */
	const char nul[] = "3栋1504\0一人\n4栋507";
	assert_int_equal(chain_parse(nul, sizeof nul - 1, &l, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(l[0].text, "3栋1504 一人");
	assert_int_equal(l[0].people, 1);
	assert_int_equal(l[1].line, 2);
	free(l);
}

/* Builds lines copies of line, each ending in "\n" (or "\r\n"). */
static char *repeat(const char *line, size_t lines, bool crlf, size_t *len)
{
	size_t one = strlen(line) + (crlf ? 2 : 1);
	char *s = malloc(one * lines + 1);
	assert_non_null(s);
	for (size_t i = 0; i < lines; i++) {
		memcpy(s + i * one, line, strlen(line));
		memcpy(s + i * one + strlen(line), crlf ? "\r\n" : "\n", crlf ? 2 : 1);
	}
	*len = one * lines;
	s[*len] = '\0';
	return s;
}

static void test_limits(void **state)
{
	(void)state;
	chain_line *l;
	size_t n, len;

	char *s = repeat("3栋1504 一人 36.5", CHAIN_MAX_LINES, true, &len);
	assert_int_equal(chain_parse(s, len, &l, &n), 0);
	assert_int_equal(n, CHAIN_MAX_LINES);
	assert_int_equal(l[CHAIN_MAX_LINES - 1].line, CHAIN_MAX_LINES);
	free(l);
	free(s);

	/* 2001 lines, even blank ones, are refused */
	s = repeat("", CHAIN_MAX_LINES + 1, false, &len);
	w_clear();
	l = (chain_line *)&n;
	n = 7;
	assert_int_equal(chain_parse(s, len, &l, &n), -1);
	assert_null(l);
	assert_int_equal(n, 0);
	assert_int_equal(w_last()->err, W_ETOOBIG);
	assert_string_equal(w_last()->field, "text");
	free(s);

	/* 2000 lines and a last one without a newline */
	s = repeat("4栋507", CHAIN_MAX_LINES, false, &len);
	s[len - 1] = 'x';
	assert_int_equal(chain_parse(s, len, &l, &n), 0);
	assert_int_equal(n, CHAIN_MAX_LINES);
	free(l);
	s = realloc(s, len + 3);
	memcpy(s + len, "\n1", 3);
	assert_int_equal(chain_parse(s, len + 2, &l, &n), -1);
	free(s);

	/* more readings and names than fit */
	const char *many = "3栋1504 王梅36.1 李四36.2 张三36.3 赵六36.4 钱七36.5 36.6 36.7 36.8 36.9 37.0";
	assert_int_equal(chain_parse(many, strlen(many), &l, &n), 0);
	assert_int_equal(l[0].ntemps, CHAIN_MAX_TEMPS);
	assert_true(l[0].temps[CHAIN_MAX_TEMPS - 1] == 36.8);
	assert_int_equal(l[0].nnames, CHAIN_MAX_NAMES);
	assert_string_equal(l[0].names[3], "赵六");
	free(l);
}

static void test_bad_input(void **state)
{
	(void)state;
	const char *bad[] = {
	    ("3栋\xff"
	     "1504"),
	    "\xc0\xaf",
	    "3栋1504\n\xe6\x88",
	    "\xed\xa0\x80", /* a surrogate */
	    "ok\n\xf4\x90\x80\x80",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		chain_line *l = (chain_line *)&i;
		size_t n = 5;
		w_clear();
		assert_int_equal(chain_parse(bad[i], strlen(bad[i]), &l, &n), -1);
		assert_null(l);
		assert_int_equal(n, 0);
		assert_int_equal(w_last()->err, W_EINVAL);
		assert_string_equal(w_last()->field, "text");
		assert_string_equal(w_last()->code, "bad_encoding");
	}
	size_t n;
	chain_line *l;
	assert_int_equal(chain_parse(NULL, 3, &l, &n), -1);
	assert_int_equal(chain_parse("x", 1, NULL, &n), -1);
	assert_int_equal(chain_parse("x", 1, &l, NULL), -1);
}

/* Every thread opens its own transliterator. */
static void *thread_main(void *arg)
{
	(void)arg;
	const char *in = "１２棟８０３　三口人體溫正常\n5棟2單元301 陳建國36.5 發燒\n";
	for (int i = 0; i < 50; i++) {
		chain_line *l;
		size_t n;
		if (chain_parse(in, strlen(in), &l, &n) || n != 2 || strcmp(l[0].building, "12") ||
		    strcmp(l[1].names[0], "陈建国") || l[1].symptoms != SYM_FEVER)
			return (void *)1;
		free(l);
	}
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	pthread_t t[4];
	for (int k = 0; k < 4; k++)
		assert_int_equal(pthread_create(&t[k], NULL, thread_main, NULL), 0);
	for (int k = 0; k < 4; k++) {
		void *r;
		assert_int_equal(pthread_join(t[k], &r), 0);
		assert_null(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),  cmocka_unit_test(test_text),      cmocka_unit_test(test_lines),
	    cmocka_unit_test(test_limits), cmocka_unit_test(test_bad_input), cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
