#include "Oracle.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>

using namespace Qt::StringLiterals;

namespace tl::test {

namespace {
QString oracleDir()
{
    return QStringLiteral(TOKENLEDGER_SOURCE_DIR) + u"/tests/tokenizer/oracle"_s;
}
} // namespace

std::optional<QList<std::vector<std::uint32_t>>> runOracle(const QList<OracleCase> &cases, QString *error)
{
    const QString node = QStandardPaths::findExecutable(u"node"_s);
    if (node.isEmpty()) {
        *error = u"node not found in PATH (install nodejs)"_s;
        return std::nullopt;
    }
    if (!QFile::exists(oracleDir() + u"/node_modules/tiktoken/package.json"_s)) {
        *error = u"npm tiktoken missing: run 'npm ci' in tests/tokenizer/oracle (tools/dev.sh test does)"_s;
        return std::nullopt;
    }
    QTemporaryDir dir;
    const QString in = dir.filePath(u"in.jsonl"_s), out = dir.filePath(u"out.jsonl"_s);
    {
        QFile f(in);
        if (!f.open(QIODevice::WriteOnly)) {
            *error = u"cannot write "_s + in;
            return std::nullopt;
        }
        for (const OracleCase &c : cases) {
            QJsonObject o {{u"enc"_s, c.encoding}};
            if (c.utf16) {
                QJsonArray units;
                for (const QChar ch : *c.utf16)
                    units.append(int(ch.unicode()));
                o.insert(u"u16"_s, units);
            } else {
                o.insert(u"b64"_s, QString::fromLatin1(c.bytes.toBase64()));
            }
            if (c.allSpecial)
                o.insert(u"special"_s, u"all"_s);
            f.write(QJsonDocument(o).toJson(QJsonDocument::Compact));
            f.write("\n");
        }
    }
    QProcess p;
    p.setWorkingDirectory(oracleDir());
    p.start(node, {u"oracle.cjs"_s, u"encode"_s, in, out});
    if (!p.waitForFinished(600'000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        *error = u"oracle failed: "_s + QString::fromUtf8(p.readAllStandardError());
        return std::nullopt;
    }
    QFile f(out);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = u"oracle wrote no output"_s;
        return std::nullopt;
    }
    QList<std::vector<std::uint32_t>> result;
    while (!f.atEnd()) {
        const QByteArray line = f.readLine();
        if (line.trimmed().isEmpty())
            continue;
        std::vector<std::uint32_t> ids;
        const QJsonArray arr = QJsonDocument::fromJson(line).object().value(u"ids"_s).toArray();
        ids.reserve(std::size_t(arr.size()));
        for (const QJsonValue &v : arr)
            ids.push_back(std::uint32_t(v.toInteger()));
        result.append(std::move(ids));
    }
    if (result.size() != cases.size()) {
        *error = u"oracle returned %1 results for %2 cases"_s.arg(result.size()).arg(cases.size());
        return std::nullopt;
    }
    return result;
}

namespace {

QByteArray repeatTo(const QByteArray &unit, qsizetype size)
{
    QByteArray out;
    out.reserve(size + unit.size());
    while (out.size() < size)
        out += unit;
    return out;
}

const char *const kEnglish
    = "The quick brown fox jumps over the lazy dog. It's a well-known pangram; we'll test it, they're sure "
      "you've seen it, I'm told, and he'd agree. DON'T SHOUT, IT'S RUDE. Numbers: 3.14159, 1,000,000 and "
      "2026-11-29T10:27:03Z. E-mail: someone@example.com, URL https://example.org/a/b?c=d&e=f#g.\n";
const char *const kChinese
    = "\xe4\xbb\x8a\xe5\xa4\xa9\xe5\xa4\xa9\xe6\xb0\x94\xe5\xbe\x88\xe5\xa5\xbd\xef\xbc\x8c\xe6\x88\x91\xe4\xbb\xac"
      "\xe5\x8e\xbb\xe5\x85\xac\xe5\x9b\xad\xe6\x95\xa3\xe6\xad\xa5\xe5\x90\xa7\xe3\x80\x82\xe6\x9c\xba\xe5\x99\xa8"
      "\xe5\xad\xa6\xe4\xb9\xa0\xe6\xa8\xa1\xe5\x9e\x8b\xe7\x9a\x84\xe6\x88\x90\xe6\x9c\xac\xe4\xb8\xbb\xe8\xa6\x81"
      "\xe6\x9d\xa5\xe8\x87\xaa\xe4\xba\x8e\xe8\xae\xa1\xe7\xae\x97\xe8\xb5\x84\xe6\xba\x90\xe3\x80\x82\n";

} // namespace

QList<OracleCase> corpus(const QString &enc)
{
    QList<OracleCase> cases;
    auto add = [&](const QString &name, const QByteArray &bytes) {
        cases.append({name, enc, bytes, std::nullopt, false});
    };
    auto add16 = [&](const QString &name, const QString &text) { cases.append({name, enc, {}, text, false}); };

    add(u"empty"_s, QByteArray());
    add(u"english prose"_s, kEnglish);
    add(u"english contractions in all cases"_s,
        "it's IT'S It'S they're THEY'RE we've WE'VE I'm I'M I'll I'LL he'd HE'D 'S 's's 'sss x'ſ o'Neil "
        "rock'n'roll don\xe2\x80\x99t");
    add(u"chinese"_s, kChinese);
    add(u"japanese"_s, QStringLiteral(u"東京は日本の首都です。ひらがな、カタカナ、漢字を使います。ｶﾀｶﾅも。").toUtf8());
    add(u"korean"_s, QStringLiteral(u"안녕하세요. 한국어 텍스트를 토큰화합니다. ᄀᄁᄂ 조합형 한글").toUtf8());
    add(u"arabic"_s, QStringLiteral(u"مرحبا بالعالم! هذه جملة عربية مع تشكيل: كَتَبَ الوَلَدُ الدَّرْسَ. ١٢٣٤٥").toUtf8());
    add(u"hindi"_s, QStringLiteral(u"नमस्ते दुनिया। यह हिन्दी पाठ है, संयुक्ताक्षर क्ष त्र ज्ञ के साथ। १२३").toUtf8());
    add(u"thai and hebrew"_s, QStringLiteral(u"สวัสดีครับ ภาษาไทยไม่มีช่องว่าง שָׁלוֹם עוֹלָם").toUtf8());
    add(u"cyrillic and greek"_s, QStringLiteral(u"Привет, мир! ΑΒΓ αβγ Ωμέγα ЁЖИК ёжик").toUtf8());
    add(u"emoji with ZWJ sequences and skin tones"_s,
        QStringLiteral(u"👩‍👩‍👧‍👦 family, 👍🏽👍🏿 thumbs, 🏳️‍🌈 flag, 🇩🇪🇯🇵 flags, 🧑🏻‍💻 coder, "
                       u"❤️‍🔥, #️⃣ keycap 😀😃😄")
            .toUtf8());
    add(u"combining marks"_s,
        QStringLiteral(u"e\u0301 a\u0308\u0304 Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d zalgo \u0301alone n\u0303 "
                       u"\u1e9b\u0323 A\u030a\u212b")
            .toUtf8());
    add(u"code: C++"_s,
        "#include <vector>\nint main(int argc, char **argv) {\n    std::vector<int> v{1, 2, 3};\n"
        "    for (auto &x : v) x *= 2; // double\n    return v.size() > 2 ? 0 : 1;\n}\n");
    add(u"code: Python"_s,
        "def f(x: int) -> list[str]:\n    \"\"\"Docstring.\"\"\"\n    return [f'{i:03d}' for i in "
        "range(x) if i % 2 == 0]\n\n\nclass A(object):\n\tpass\r\n");
    add(u"code: JavaScript and JSON"_s,
        "const o = {a: 1, \"b\": [true, null], c: `t${x}`};\nexport default async () => await fetch('/api?q=1');\n"
        "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    add(u"code: Rust, SQL, HTML, shell"_s,
        "fn main() -> Result<(), Box<dyn Error>> { let v: Vec<u8> = vec![0xFF; 16]; Ok(()) }\n"
        "SELECT id, SUM(cost) FROM calls WHERE ts >= :from GROUP BY 1 ORDER BY 2 DESC;\n"
        "<div class=\"x\"><a href='#'>&amp; link</a></div>\n"
        "for f in *.txt; do grep -q 'x' \"$f\" && echo \"$f\" | sed 's/a/b/g'; done 2>&1 >/dev/null\n");
    add(u"long runs of digits"_s,
        "1234567890123456789012345678901234567890 007 1 12 123 1234 12345 3.14159265358979 "
        "١٢٣٤٥٦٧ ٠١٢ ０１２３４５ ²³¹ ½ Ⅻ");
    add(u"digits 10k"_s, repeatTo("0123456789", 10000));
    add(u"whitespace runs: tabs, CRLF, U+0085, NBSP, U+3000"_s,
        QStringLiteral(u"a\t\tb\r\nc\r\n\r\n  d\u0085e\u0085\u0085f\u00a0g\u00a0\u00a0h\u3000i\u3000\u3000j  \n\n  k"
                       u"\u2028l\u2029m\u1680n\u180eo\u200bp\u202fq\u205fr\u2003s\u000bt\u000cu \t \r \n")
            .toUtf8());
    add(u"whitespace only, ending in spaces"_s, "   \n\t  \r\n    ");
    add(u"space runs of 5000"_s, repeatTo(" ", 5000) + "x" + repeatTo("\t", 3000) + repeatTo("\r\n", 2000));
    add(u"newline runs with trailing spaces"_s, "a\n\n\n   \n  b   \n\n   c \n");
    add(u"punctuation runs"_s,
        "!!!??? ... --- === *** ///// \\\\ ||| ((( ))) [[[ ]]] {{{ }}} <<<>>> ,,, ;;; ::: "
        "...\n/path/to//file// #$%^&*()_+");
    add(u"invalid UTF-8: stray continuation and lead bytes"_s,
        "ok \x80 \xbf\xbf x \xc0\xaf \xc1\xbf \xf5\x80 \xff\xfe end");
    add(u"invalid UTF-8: truncated sequences"_s, "a\xe2\x82 b\xf0\x9f\x98 c\xe4 d\xf0\x9f");
    add(u"invalid UTF-8: encoded surrogates and overlongs"_s,
        "x\xed\xa0\x80y\xed\xbf\xbfz\xe0\x80\xaf\xf0\x80\x80\xaf"
        "\xf4\x90\x80\x80 above max");
    add(u"invalid UTF-8 only"_s, "\xff\xfe\xfd\x80\x81");
    add16(u"lone surrogates in UTF-16"_s,
          u"hi "_s + QChar(0xD800) + u" there " + QChar(0xDFFF) + u"x" + QChar(0xDBFF) + QChar(0xDBFF) + u"end");
    add16(u"lone surrogate at the end"_s, u"abc"_s + QChar(0xD83D));
    add(u"special-token look-alikes as text"_s,
        "<|endoftext|> hello <|endofprompt|><|fim_prefix|><|fim_middle|><|fim_suffix|> <|im_start|>user<|im_end|> "
        "<|endoftext| <endoftext|> <||> <|");
    cases.append({u"special tokens allowed"_s, enc,
                  "Hello<|endoftext|>World <|endofprompt|>x<|endoftext|><|endoftext|>", std::nullopt, true});
    add(u"mixed scripts without spaces"_s, QStringLiteral(u"abcДЕФ中文123日本語한국어عربيहिन्दी😀x'sY'LLé").toUtf8());
    add(u"title case and camelCase"_s, "HTTPServer parseJSON XMLHttpRequest iPhone McDonald's ÀÉÎõü ǅungla ǈ ǋ");
    add(u"single letters 16k (oracle is quadratic beyond)"_s, repeatTo("a", 16000));
    add(u"single letters 16003"_s, repeatTo("a", 16003));
    add(u"single CJK character 6k"_s, repeatTo("\xe4\xb8\x80", 6000 * 3));

    // About 1 MB texts.
    add(u"english prose 1 MB"_s, repeatTo(kEnglish, 1 << 20));
    add(u"chinese 1 MB"_s, repeatTo(kChinese, 1 << 20));
    {
        QRandomGenerator rng(20261129);
        QByteArray mixed;
        const QList<QByteArray> parts = {kEnglish,
                                         kChinese,
                                         "  \t\n",
                                         "12345678",
                                         "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd",
                                         "if (x) { return y; }\n",
                                         "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7 ",
                                         "e\xcc\x81",
                                         "\xe3\x80\x80",
                                         "\xc2\x85",
                                         "'s"};
        while (mixed.size() < (1 << 20))
            mixed += parts.at(rng.bounded(int(parts.size())));
        add(u"mixed 1 MB"_s, mixed);
    }
    return cases;
}

} // namespace tl::test
