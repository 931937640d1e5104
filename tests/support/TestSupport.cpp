#include "TestSupport.h"

#include <QProcess>

#include <QDateTime>
#include <QFileInfo>
#include <QFile>
#include <QtTest>

#ifdef Q_OS_UNIX
#include <sys/resource.h>

#include <algorithm>
#include <csignal>
#endif

using namespace Qt::StringLiterals;

namespace tl::test {

QString sharedData(const QString &relative)
{
    return QStringLiteral(TOKENLEDGER_SHARED_DIR) + u"/data/"_s + relative;
}

QString providerFixture(const QString &name)
{
    return QStringLiteral(TOKENLEDGER_SHARED_DIR) + u"/fixtures/providers/"_s + name;
}

QString fixture(const QString &relative)
{
    return QStringLiteral(TOKENLEDGER_FIXTURES_DIR) + u'/' + relative;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read test file %s", qPrintable(path)); // test setup only, never production code
    return f.readAll();
}

std::shared_ptr<const PriceBook> builtInBook()
{
    static std::shared_ptr<const PriceBook> book = [] {
        auto b = PriceBook::builtIn();
        if (!b)
            qFatal("built-in price book failed to load: %s", qPrintable(b.error().message));
        return *b;
    }();
    return book;
}

CallRecord makeRecord(qint64 startedAtUs, const QString &endpoint, const QString &provider, const QString &model,
                      qint64 prompt, qint64 completion)
{
    CallRecord r;
    r.startedAtUs = startedAtUs;
    r.endpoint = endpoint;
    r.provider = provider;
    r.requestedModel = model;
    r.servedModel = model;
    r.usage.promptTokens = prompt;
    r.usage.completionTokens = completion;
    r.sourceKind = SourceKind::ImportFile;
    return r;
}

std::unique_ptr<Ledger> openLedger(const QString &path)
{
    auto ledger = Ledger::open(path, builtInBook());
    if (!ledger)
        qFatal("cannot open ledger %s: %s", qPrintable(path), qPrintable(ledger.error().message));
    return std::move(*ledger);
}

qint64 usFromIso(const QString &iso)
{
    const QDateTime dt = QDateTime::fromString(iso, Qt::ISODateWithMs);
    Q_ASSERT(dt.isValid());
    return dt.toMSecsSinceEpoch() * 1000;
}

} // namespace tl::test

namespace QTest {
template<> char *toString(const tl::ErrorCode &c) { return qstrdup(QByteArray::number(int(c)).constData()); }
} // namespace QTest

#ifdef Q_OS_UNIX
namespace tl::test {

LedgerGrowthLimit::LedgerGrowthLimit(const QString &ledgerPath, qint64 headroomBytes)
{
    rlimit r{};
    if (getrlimit(RLIMIT_FSIZE, &r) != 0)
        return;
    m_before = quint64(r.rlim_cur);
    m_previousHandler = std::signal(SIGXFSZ, SIG_IGN); // EFBIG instead of the signal
    const qint64 largest = std::max(QFileInfo(ledgerPath).size(), QFileInfo(ledgerPath + QStringLiteral("-wal")).size());
    r.rlim_cur = rlim_t(largest + headroomBytes);
    m_set = setrlimit(RLIMIT_FSIZE, &r) == 0;
    if (!m_set)
        std::signal(SIGXFSZ, m_previousHandler);
}

bool LedgerGrowthLimit::lift()
{
    if (!m_set)
        return true;
    rlimit r{};
    if (getrlimit(RLIMIT_FSIZE, &r) != 0)
        return false;
    r.rlim_cur = rlim_t(m_before);
    if (setrlimit(RLIMIT_FSIZE, &r) != 0)
        return false;
    std::signal(SIGXFSZ, m_previousHandler);
    m_set = false;
    return true;
}

CommandRun runCommand(const QString &program, const QStringList &args, const QByteArray &input,
                      const QProcessEnvironment &env, int timeoutMs)
{
    QProcess p;
    if (!env.isEmpty())
        p.setProcessEnvironment(env);
    p.start(program, args);
    if (!p.waitForStarted(10'000))
        return {};
    p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

} // namespace tl::test
#endif
