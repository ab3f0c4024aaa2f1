/* ident.h — validation of Chinese resident ID numbers (GB 11643-1999) and phone numbers,
 * and their masking for display.  Pure functions, no allocation unless stated. */
#ifndef WG_IDENT_H
#define WG_IDENT_H
#include <stdbool.h>
#include <stddef.h>

/* Why an ID number was refused; ID_OK when valid. */
typedef enum {
	ID_OK = 0,
	ID_BAD_LENGTH,  /* not 18 characters */
	ID_BAD_CHAR,    /* first 17 not digits, or last not digit/X */
	ID_BAD_REGION,  /* first two digits are not a province-level code (11..82) */
	ID_BAD_BIRTH,   /* characters 7..14 are not a real date between 1900-01-01 and today */
	ID_BAD_CHECK,   /* MOD 11-2 check digit wrong */
} id_result;

/* Validate an 18-character ID number (a lower-case 'x' is accepted as 'X').  When valid
 * and birth != NULL, writes the birth date "YYYY-MM-DD" (11 bytes incl. NUL). */
id_result id_validate(const char *s, char birth[11]);
const char *id_result_message(id_result r); /* Chinese + English reason */
/* The check character for the first 17 digits ('0'..'9' or 'X'). */
char id_check_char(const char *first17);
/* Sex from the 17th digit: 'M' (odd) or 'F' (even). */
char id_sex(const char *s);

/* Passport / other documents: 5..20 characters of A-Z, 0-9 (upper-cased in place). */
bool doc_number_valid(char *s);

/* Phone: mainland mobile 1[3-9]xxxxxxxxx (optionally +86/86 prefixed, spaces and dashes
 * allowed), or a landline 0AA(A)-NNNNNNN(N) / 7-8 digit local number.  On success writes
 * the normalised form (digits only, landline as "0AAA-NNNNNNNN") to out (cap >= 32). */
bool phone_normalize(const char *in, char *out, size_t cap);

/* Masking, server side.  out must hold strlen(in)+1 bytes.
 * ID: keep first 6 and last 4 ("110101********1234"); shorter documents keep the last 4.
 * Phone: keep the last 4 digits ("*******5678", "***-****0275"). */
void mask_id(const char *in, char *out);
void mask_phone(const char *in, char *out);
#endif
