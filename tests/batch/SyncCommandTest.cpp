// `tokenledger sync` through the real binary, against the loopback Admin API server, with the admin
// keys in the real OS keychain (gnome-keyring in a private D-Bus session: tests/proxy/with-keyring.sh).

#include "ProviderApiServer.h"
#include "TestSupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tl;

namespace {

const QByteArray kOpenAiAdminKey = "sk-admin-TEST-cli-sync-3b9d41";
const QString kUsagePath = u"/v1/organization/usage/completions"_s;
const QString kCostsPath = u"/v1/organization/costs"_s;

QJsonObject fixture(const QString &name) { return QJsonDocument::fromJson(test::readFile(test::providerFixture(name))).object(); }

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

} // namespace

class SyncCommandTest : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    test::ProviderApiServer m_server;

    QString db() const { return m_dir.filePath(u"ledger.sqlite"_s); }

    // Runs the binary while this thread's event loop keeps serving the loopback server.
    Run run(const QStringList &args, const QByteArray &stdinData = {})
    {
        QProcess p;
        p.setProgram(qEnvironmentVariable("TOKENLEDGER_BIN"));
        p.setArguments(args);
        QSignalSpy finished(&p, &QProcess::finished);
        p.start();
        if (!p.waitForStarted(10'000))
            return {};
        if (!stdinData.isNull())
            p.write(stdinData);
        p.closeWriteChannel();
        if (!finished.wait(60'000)) {
            p.kill();
            p.waitForFinished();
        }
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
                QString::fromUtf8(p.readAllStandardError())};
    }

    qint64 scalar(const QString &sql)
    {
        const QString name = u"sync-cli-check"_s;
        qint64 value = -1;
        {
            QSqlDatabase c = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
            c.setDatabaseName(db());
            if (c.open()) {
                QSqlQuery q(c);
                if (q.exec(sql) && q.next())
                    value = q.value(0).toLongLong();
            }
        }
        QSqlDatabase::removeDatabase(name);
        return value;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(!qEnvironmentVariable("TOKENLEDGER_BIN").isEmpty(), "TOKENLEDGER_BIN is not set");
        m_server.reportPages[kUsagePath] = {fixture(u"f1-openai-admin-usage-completions.json"_s)};
        m_server.reportPages[kCostsPath] = {fixture(u"f2-openai-admin-costs.json"_s)};
    }

    void usageErrorsExit2()
    {
        const Run bad = run({u"sync"_s, u"--db"_s, db(), u"--source"_s, u"openai-bills"_s});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains(u"unknown source \"openai-bills\""_s), qPrintable(bad.err));
        QVERIFY2(bad.err.contains(u"openai-embeddings-usage"_s), qPrintable(bad.err)); // the sources it knows
        const Run badUrl = run({u"sync"_s, u"--db"_s, db(), u"--openai-base"_s, u"ftp://example"_s});
        QCOMPARE(badUrl.exitCode, 2);
        const Run badKeyProvider = run({u"sync"_s, u"--set-key"_s, u"gemini"_s}, "k\n");
        QCOMPARE(badKeyProvider.exitCode, 2);
    }

    void withoutAKeyItSaysHowToStoreOne()
    {
        const Run r = run({u"sync"_s, u"--db"_s, db(), u"--openai-base"_s, m_server.base()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(u"tokenledger sync --set-key openai"_s), qPrintable(r.err));
        QCOMPARE(m_server.requests().size(), 0);
    }

    void setKeyThenSyncImportsEveryPageOnce()
    {
        const Run stored = run({u"sync"_s, u"--set-key"_s, u"openai"_s}, kOpenAiAdminKey + "\n");
        QCOMPARE(stored.exitCode, 0);
        QVERIFY(!stored.out.contains(QString::fromLatin1(kOpenAiAdminKey)));

        // No --source: only the sources of the provider whose key is in the keychain (OpenAI's three).
        const Run first = run({u"sync"_s, u"--db"_s, db(), u"--openai-base"_s, m_server.base(), u"--anthropic-base"_s,
                               m_server.base(), u"--first-days"_s, u"3650"_s});
        QVERIFY2(first.exitCode == 0, qPrintable(first.err));
        // Counted in plain English (the English plural catalogue), not "1 page(s)".
        QVERIFY2(first.out.contains(u"openai-usage: 1 page, "_s), qPrintable(first.out));
        QVERIFY2(first.out.contains(u"openai-costs: 1 page, "_s), qPrintable(first.out));
        // Embeddings usage is synced with the same key (the loopback server has no embeddings calls: one empty page).
        QVERIFY2(first.out.contains(u"openai-embeddings-usage: 1 page, 0 records added, 0 replaced"_s), qPrintable(first.out));
        QVERIFY(!first.out.contains(u"anthropic"_s));
        QCOMPARE(m_server.count("GET", u"/v1/organizations/"_s), 0);

        // The key went upstream as the bearer token, from the keychain.
        const QList<HttpRequest> requests = m_server.requests();
        QVERIFY(!requests.isEmpty());
        for (const HttpRequest &req : requests)
            QCOMPARE(headerValue(req.headers, "authorization"), "Bearer " + kOpenAiAdminKey);

        const qint64 records = scalar(u"SELECT COUNT(*) FROM calls WHERE source_kind <> 0"_s);
        QVERIFY2(records > 0, "the sync imported no record");
        const qint64 usageLines = fixture(u"f1-openai-admin-usage-completions.json"_s).value("data"_L1).toArray().at(0)
                                      .toObject().value("results"_L1).toArray().size();
        QVERIFY(records >= usageLines);

        // A second sync adds nothing twice (days before the watermark are not fetched again; re-fetched
        // days are replaced, and source keys keep a repeated line out).
        const Run second = run({u"sync"_s, u"--db"_s, db(), u"--openai-base"_s, m_server.base(), u"--first-days"_s, u"3650"_s});
        QVERIFY2(second.exitCode == 0, qPrintable(second.err));
        QCOMPARE(scalar(u"SELECT COUNT(*) FROM calls WHERE source_kind <> 0"_s), records);

        // The admin key is in the keychain only: not in the ledger file, its WAL, or anything printed.
        for (const QString &file : QStringList{db(), db() + u"-wal"_s}) {
            QFile f(file);
            if (f.open(QIODevice::ReadOnly))
                QVERIFY2(!f.readAll().contains(kOpenAiAdminKey), qPrintable(file));
        }
        for (const Run &r : {first, second})
            QVERIFY(!QString(r.out + r.err).contains(QString::fromLatin1(kOpenAiAdminKey)));
    }
};

QTEST_GUILESS_MAIN(SyncCommandTest)
#include "SyncCommandTest.moc"
