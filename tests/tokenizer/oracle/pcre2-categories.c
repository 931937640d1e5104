/* Prints, for every Unicode scalar value, the general-category class PCRE2 (the linked version) gives it
 * among those tiktoken's patterns use: one character per code point (surrogates as '-'):
 *   U=Lu l=Ll t=Lt m=Lm o=Lo M=mark N=number .=other.
 * Used by unicode-delta.cjs to find what PCRE2's Unicode tables lack against tiktoken's.
 * Build: cc pcre2-categories.c $(pkg-config --cflags --libs libpcre2-8) -o pcre2-categories */
#define PCRE2_CODE_UNIT_WIDTH 32
#include <pcre2.h>
#include <stdio.h>

int main(void)
{
    const char *pats[] = {"\\p{Lu}", "\\p{Ll}", "\\p{Lt}", "\\p{Lm}", "\\p{Lo}", "\\p{M}", "\\p{N}"};
    const char codes[] = "UltmoMN";
    pcre2_code *re[7];
    for (int i = 0; i < 7; ++i) {
        PCRE2_UCHAR32 p[16];
        int n = 0;
        for (const char *c = pats[i]; *c; ++c)
            p[n++] = (PCRE2_UCHAR32)*c;
        int err;
        PCRE2_SIZE off;
        re[i] = pcre2_compile(p, n, PCRE2_UTF | PCRE2_UCP, &err, &off, NULL);
        if (!re[i])
            return 1;
    }
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    for (unsigned cp = 0; cp <= 0x10FFFF; ++cp) {
        char out = '.';
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            out = '-';
        } else {
            PCRE2_UCHAR32 s[1] = {cp};
            for (int i = 0; i < 7; ++i) {
                if (pcre2_match(re[i], s, 1, 0, PCRE2_ANCHORED, md, NULL) > 0) {
                    out = codes[i];
                    break;
                }
            }
        }
        putchar(out);
    }
    return 0;
}
