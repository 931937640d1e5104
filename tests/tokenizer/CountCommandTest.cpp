// `tokenledger count` end to end: the real binary, files and standard input, exit codes.
#include "TestSupport.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;

namespace {
tl::test::CommandRun runCount(const QStringList &args, const QByteArray &stdinData = {})
{
    return tl::test::runCommand(QStringLiteral(TOKENLEDGER_APP), QStringList{u"count"_s} + args, stdinData, {}, 60'000);
}
} // namespace

class CountCommandTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void countsText_data();
    void countsText();
    void printsIds();
    void countsAChatRequest();
    void usageErrorsExitTwo_data();
    void usageErrorsExitTwo();
    void unreadableFileExitsOne();
};

void CountCommandTest::countsText_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("count");
    QTest::addColumn<bool>("estimate");
    QTest::newRow("gpt-4o from stdin") << QStringList {u"--model"_s, u"gpt-4o"_s, u"-"_s} << u"2"_s << false;
    QTest::newRow("encoding only") << QStringList {u"--encoding"_s, u"cl100k_base"_s, u"-"_s} << u"2"_s << false;
    QTest::newRow("claude is an estimate")
        << QStringList {u"--model"_s, u"claude-sonnet-4-5"_s, u"-"_s} << u"2"_s << true;
}

void CountCommandTest::countsText()
{
    QFETCH(QStringList, args);
    QFETCH(QString, count);
    QFETCH(bool, estimate);
    const tl::test::CommandRun r = runCount(args, "hello world");
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out.trimmed(), count);
    QCOMPARE(r.err.contains(u"estimate"_s), estimate);
}

void CountCommandTest::printsIds()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"prompt.txt"_s);
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("hello world");
    f.close();
    const tl::test::CommandRun r = runCount({u"--model"_s, u"gpt-4"_s, u"--ids"_s, path});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, u"2\n15339 1917\n"_s);
}

void CountCommandTest::countsAChatRequest()
{
    const QByteArray body = R"({"model":"gpt-4o","messages":[{"role":"user","content":"hello world"}]})";
    const tl::test::CommandRun r = runCount({u"--model"_s, u"gpt-4o"_s, u"--chat"_s, u"-"_s}, body);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out.trimmed(), u"9"_s); // 3 + "user" + 2 + 3 priming
}

void CountCommandTest::usageErrorsExitTwo_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("no model or encoding") << QStringList {u"-"_s};
    QTest::newRow("no file") << QStringList {u"--model"_s, u"gpt-4o"_s};
    QTest::newRow("two files") << QStringList {u"--model"_s, u"gpt-4o"_s, u"a"_s, u"b"_s};
    QTest::newRow("unknown encoding") << QStringList {u"--encoding"_s, u"p99k"_s, u"-"_s};
    QTest::newRow("unknown option") << QStringList {u"--bogus"_s, u"-"_s};
    QTest::newRow("chat without model") << QStringList {u"--encoding"_s, u"o200k_base"_s, u"--chat"_s, u"-"_s};
}

void CountCommandTest::usageErrorsExitTwo()
{
    QFETCH(QStringList, args);
    const tl::test::CommandRun r = runCount(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.out.isEmpty());
    QCOMPARE(r.err.count(u'\n'), 1); // one line
    QVERIFY(r.err.startsWith(u"tokenledger count: "_s));
}

void CountCommandTest::unreadableFileExitsOne()
{
    const tl::test::CommandRun r = runCount({u"--model"_s, u"gpt-4o"_s, u"/nonexistent/prompt.txt"_s});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.err.contains(u"/nonexistent/prompt.txt"_s));
}

QTEST_GUILESS_MAIN(CountCommandTest)
#include "CountCommandTest.moc"
