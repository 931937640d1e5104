// guardList(): numbers, negations, switch words and quoted literals (see SemanticKey.h for the contract).
#include "semantic/SemanticKey.h"

#include <QHash>
#include <QSet>

#include <array>

using namespace Qt::StringLiterals;

namespace tl::semantic {

namespace {

struct Pair
{
    char16_t open;
    char16_t close;
};

// Openers and closers of quoted literals (after NFKC). The ASCII quote ' is handled apart.
constexpr std::array<Pair, 7> kQuotes {{{u'"', u'"'},
                                        {u'`', u'`'},
                                        {u'\u201c', u'\u201d'}, // “ ”
                                        {u'\u2018', u'\u2019'}, // ‘ ’
                                        {u'\u300c', u'\u300d'}, // 「 」
                                        {u'\u300e', u'\u300f'}, // 『 』
                                        {u'\u00ab', u'\u00bb'}}}; // « »

bool isWordChar(QChar c)
{
    return c.isLetterOrNumber() || c.isMark();
}

const QHash<QString, QString> &englishWords()
{
    static const QHash<QString, QString> words = [] {
        QHash<QString, QString> w;
        const char *numbers[] = {"zero",     "one",     "two",     "three",     "four",     "five",     "six",
                                 "seven",    "eight",   "nine",    "ten",       "eleven",   "twelve",   "thirteen",
                                 "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"};
        for (int i = 0; i <= 20; ++i)
            w.insert(QString::fromLatin1(numbers[i]), u"n:"_s + QString::number(i));
        const char *tens[] = {"thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"};
        for (int i = 0; i < 7; ++i)
            w.insert(QString::fromLatin1(tens[i]), u"n:"_s + QString::number((i + 3) * 10));
        w.insert(u"hundred"_s, u"n:100"_s);
        w.insert(u"thousand"_s, u"n:1000"_s);
        w.insert(u"million"_s, u"n:1000000"_s);
        w.insert(u"billion"_s, u"n:1000000000"_s);
        w.insert(u"half"_s, u"n:0.5"_s);
        w.insert(u"once"_s, u"n:x1"_s);
        w.insert(u"twice"_s, u"n:x2"_s);
        const char *ordinals[]
            = {"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"};
        for (int i = 0; i < 10; ++i)
            w.insert(QString::fromLatin1(ordinals[i]), u"n:#"_s + QString::number(i + 1));
        for (const char *n :
             {"not", "no", "never", "none", "nothing", "nobody", "nowhere", "nor", "neither", "cannot", "without"})
            w.insert(QString::fromLatin1(n), u"neg"_s);
        for (const char *on :
             {"on", "enable", "enabled", "enables", "enabling", "activate", "activated", "activates", "activating"})
            w.insert(QString::fromLatin1(on), u"sw:on"_s);
        for (const char *off : {"off", "disable", "disabled", "disables", "disabling", "deactivate", "deactivated",
                                "deactivates", "deactivating"})
            w.insert(QString::fromLatin1(off), u"sw:off"_s);
        w.insert(u"true"_s, u"b:true"_s);
        w.insert(u"false"_s, u"b:false"_s);
        return w;
    }();
    return words;
}

// Chinese phrases, longest first at each position. An empty guard means "a word that only looks like
// a guard" (skipped).
struct Phrase
{
    QString text;
    QString guard;
};

const std::vector<Phrase> &chinesePhrases()
{
    static const std::vector<Phrase> phrases = [] {
        std::vector<Phrase> p;
        auto skip = [&p](std::initializer_list<const char16_t *> words) {
            for (const char16_t *w : words)
                p.push_back({QString::fromUtf16(w), QString()});
        };
        skip({u"一下", u"一些", u"一起", u"一样", u"一直", u"一定", u"一般", u"一切", u"一旦", u"一边", u"一致",
              u"一共", u"一点", u"一会", u"统一", u"唯一", u"万一", u"千万", u"万分"});
        skip({u"非常", u"无论", u"不过", u"别人", u"特别", u"区别", u"分别", u"差别", u"类别", u"级别", u"识别",
              u"性别", u"个别", u"告别", u"别的"});
        skip({u"开始", u"开发", u"开心", u"离开", u"公开", u"开会", u"展开", u"开放", u"开头", u"开支", u"开销",
              u"关于", u"关系", u"相关", u"有关", u"关注", u"关心", u"关键", u"机关", u"海关", u"关联"});
        p.push_back({u"没有"_s, u"neg"_s});
        p.push_back({u"打开"_s, u"sw:on"_s});
        p.push_back({u"开启"_s, u"sw:on"_s});
        p.push_back({u"关闭"_s, u"sw:off"_s});
        p.push_back({u"关掉"_s, u"sw:off"_s});
        for (const char16_t *n : {u"不", u"没", u"别", u"非", u"无", u"未", u"勿", u"莫"})
            p.push_back({QString::fromUtf16(n), u"neg"_s});
        p.push_back({u"开"_s, u"sw:on"_s});
        p.push_back({u"关"_s, u"sw:off"_s});
        std::stable_sort(p.begin(), p.end(),
                         [](const Phrase &a, const Phrase &b) { return a.text.size() > b.text.size(); });
        return p;
    }();
    return phrases;
}

int chineseDigit(QChar c)
{
    switch (c.unicode()) {
    case u'零':
    case u'〇':
        return 0;
    case u'一':
        return 1;
    case u'二':
    case u'两':
        return 2;
    case u'三':
        return 3;
    case u'四':
        return 4;
    case u'五':
        return 5;
    case u'六':
        return 6;
    case u'七':
        return 7;
    case u'八':
        return 8;
    case u'九':
        return 9;
    default:
        return -1;
    }
}

qint64 chineseUnit(QChar c)
{
    switch (c.unicode()) {
    case u'十':
        return 10;
    case u'百':
        return 100;
    case u'千':
        return 1000;
    case u'万':
        return 10000;
    case u'亿':
        return 100000000;
    default:
        return 0;
    }
}

bool isChineseNumeral(QChar c)
{
    return chineseDigit(c) >= 0 || chineseUnit(c) > 0;
}

// The value of a run of Chinese numerals: 二十三 -> 23, 一百零五 -> 105, 两千 -> 2000, 二零二四 -> 2024.
QString chineseNumberValue(QStringView run)
{
    bool hasUnit = false;
    for (QChar c : run)
        hasUnit = hasUnit || chineseUnit(c) > 0;
    if (!hasUnit) {
        QString digits;
        for (QChar c : run)
            digits += QChar(u'0' + chineseDigit(c));
        return digits;
    }
    qint64 total = 0, section = 0, number = 0;
    for (QChar c : run) {
        const int d = chineseDigit(c);
        if (d >= 0) {
            number = d;
            continue;
        }
        const qint64 unit = chineseUnit(c);
        if (unit >= 10000) {
            section += number;
            total = (total + section) * unit;
            section = 0;
        } else {
            section += (number == 0 ? 1 : number) * unit;
        }
        number = 0;
    }
    return QString::number(total + section + number);
}

// 1,000.50 -> 1000.5; 007 -> 7; .5 -> 0.5
QString normaliseNumber(QString digits)
{
    digits.remove(u',');
    QString intPart = digits;
    QString frac;
    const qsizetype dot = digits.indexOf(u'.');
    if (dot >= 0) {
        intPart = digits.left(dot);
        frac = digits.mid(dot + 1);
    }
    while (intPart.size() > 1 && intPart.startsWith(u'0'))
        intPart.remove(0, 1);
    if (intPart.isEmpty())
        intPart = u"0"_s;
    while (frac.endsWith(u'0'))
        frac.chop(1);
    return frac.isEmpty() ? intPart : intPart + u'.' + frac;
}

bool isOperator(QChar c)
{
    return QStringView(u"+-*/×÷^%=<>").contains(c);
}

// Numbers, negations and switch words of a stretch of text outside literals, appended to `out`.
void scanPlain(QStringView raw, QStringList &out)
{
    QString s = raw.toString().toCaseFolded();
    s.replace(u'\u2019', u'\''); // ’ as an apostrophe: don’t
    const qsizetype n = s.size();
    bool lastWasNumber = false; // the previous item is a number with only spaces since
    for (qsizetype i = 0; i < n;) {
        const QChar c = s.at(i);
        // Numbers: 12, 1,000, 3.5, .5, -3 (sign only where it cannot be a binary minus).
        const bool startsNumber = c.isDigit() && c.unicode() < 128;
        const bool dotNumber = c == u'.' && i + 1 < n && s.at(i + 1).isDigit() && (i == 0 || !s.at(i - 1).isDigit());
        if (startsNumber || dotNumber) {
            qsizetype j = i;
            while (j < n) {
                const QChar d = s.at(j);
                if (d.isDigit() && d.unicode() < 128) {
                    ++j;
                } else if ((d == u',' || d == u'.') && j + 1 < n && s.at(j + 1).isDigit()
                           && s.at(j + 1).unicode() < 128) {
                    ++j;
                } else {
                    break;
                }
            }
            QString num = s.mid(i, j - i);
            // "1,000" is a thousands separator; "1,2" is a list: split on commas unless groups of three.
            const QStringList commaParts = num.split(u',');
            bool thousands = commaParts.size() > 1;
            for (qsizetype k = 1; k < commaParts.size(); ++k)
                thousands = thousands && commaParts.at(k).section(u'.', 0, 0).size() == 3;
            const bool negative = i > 0 && s.at(i - 1) == u'-' && !lastWasNumber && (i < 2 || !isWordChar(s.at(i - 2)));
            if (thousands || commaParts.size() == 1) {
                out << u"n:"_s + (negative ? u"-"_s : QString()) + normaliseNumber(num);
            } else {
                for (qsizetype k = 0; k < commaParts.size(); ++k)
                    out << u"n:"_s + (negative && k == 0 ? u"-"_s : QString()) + normaliseNumber(commaParts.at(k));
            }
            lastWasNumber = true;
            i = j;
            continue;
        }
        if (isOperator(c) && lastWasNumber) {
            qsizetype j = i + 1;
            while (j < n && s.at(j) == u' ')
                ++j;
            if (j < n && (s.at(j).isDigit() || (s.at(j) == u'.' && j + 1 < n && s.at(j + 1).isDigit()))) {
                out << u"op:"_s + c;
                lastWasNumber = false;
                i = (c == u'-' && j == i + 1) ? i + 1 : j;
                continue;
            }
        }
        if (c.script() == QChar::Script_Han) {
            lastWasNumber = false;
            if (isChineseNumeral(c)) {
                // Phrases such as 一下/万一 first.
                bool skipped = false;
                for (const Phrase &p : chinesePhrases()) {
                    if (p.guard.isEmpty() && QStringView(s).mid(i).startsWith(p.text)) {
                        i += p.text.size();
                        skipped = true;
                        break;
                    }
                }
                if (skipped)
                    continue;
                qsizetype j = i;
                while (j < n && isChineseNumeral(s.at(j)))
                    ++j;
                out << u"n:"_s + chineseNumberValue(QStringView(s).mid(i, j - i));
                lastWasNumber = true;
                i = j;
                continue;
            }
            bool matched = false;
            for (const Phrase &p : chinesePhrases()) {
                if (QStringView(s).mid(i).startsWith(p.text)) {
                    if (!p.guard.isEmpty())
                        out << p.guard;
                    i += p.text.size();
                    matched = true;
                    break;
                }
            }
            if (!matched)
                ++i;
            continue;
        }
        if (c.isLetter()) {
            qsizetype j = i;
            while (j < n
                   && (s.at(j).isLetter() || s.at(j).isMark()
                       || (s.at(j) == u'\'' && j + 1 < n && s.at(j + 1).isLetter())))
                ++j;
            const QString word = s.mid(i, j - i);
            if (word.endsWith(u"n't"_s)) {
                out << u"neg"_s;
            } else {
                const auto it = englishWords().constFind(word);
                if (it != englishWords().constEnd())
                    out << it.value();
            }
            lastWasNumber = false;
            i = j;
            continue;
        }
        if (c != u' ')
            lastWasNumber = false;
        ++i;
    }
}

} // namespace

QStringList guardList(QStringView input)
{
    const QString s = input.toString().normalized(QString::NormalizationForm_KC);
    const qsizetype n = s.size();
    QStringList out;
    qsizetype plainStart = 0;
    qsizetype i = 0;
    auto literal = [&](qsizetype openAt, qsizetype contentFrom, qsizetype contentTo, qsizetype resumeAt) {
        scanPlain(QStringView(s).mid(plainStart, openAt - plainStart), out);
        out << u"q:"_s + s.mid(contentFrom, contentTo - contentFrom);
        plainStart = i = resumeAt;
    };
    while (i < n) {
        const QChar c = s.at(i);
        if (c == u'`' && QStringView(s).mid(i).startsWith(u"```")) {
            const qsizetype close = s.indexOf(u"```"_s, i + 3);
            if (close >= 0) {
                literal(i, i + 3, close, close + 3);
                continue;
            }
        }
        if (c == u'\'') {
            // A single quote opens a literal only at the start of a word, and closes at the end of one.
            if ((i == 0 || !isWordChar(s.at(i - 1))) && i + 1 < n && s.at(i + 1) != u' ') {
                qsizetype close = -1;
                for (qsizetype j = i + 1; j < n && s.at(j) != u'\n'; ++j) {
                    if (s.at(j) == u'\'' && s.at(j - 1) != u' ' && (j + 1 == n || !isWordChar(s.at(j + 1)))) {
                        close = j;
                        break;
                    }
                }
                if (close > i + 1) {
                    literal(i, i + 1, close, close + 1);
                    continue;
                }
            }
            ++i;
            continue;
        }
        bool handled = false;
        for (const Pair &p : kQuotes) {
            if (c != QChar(p.open))
                continue;
            const qsizetype close = s.indexOf(QChar(p.close), i + 1);
            if (close > i) {
                literal(i, i + 1, close, close + 1);
                handled = true;
            }
            break;
        }
        if (!handled)
            ++i;
    }
    scanPlain(QStringView(s).mid(plainStart), out);
    return out;
}

} // namespace tl::semantic
