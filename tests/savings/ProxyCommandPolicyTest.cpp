// `tokenledger proxy --config FILE` (the real binary, headless) and the savings policy the app's pages
// save (Settings "proxy/savings_policy"): without a "savings" object in the config file the proxy uses
// the saved policy; with one, the file's policy is used alone. Checked on what reaches a loopback
// upstream: the saved policy routes endpoint "chat" (every request low complexity -> the openai nano
// tier, set to gpt-4o-mini), so the upstream sees the routed model; the file's policy (routing off)
// leaves the requested model.
#include "LoopbackUpstream.h"
#include "TestSupport.h"
#include "proxy/SavingsPolicy.h"
#include "routing/RouterConfig.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;

namespace tl {

namespace {

const QString kRequested = u"gpt-4o-2024-08-06"_s;
const QString kNano = u"gpt-4o-mini-2024-07-18"_s;

// The policy as the Routing page / Simulator page save it: routing on for "chat", with a router whose
// only rule makes every request low complexity and whose openai nano tier is gpt-4o-mini.
QJsonObject savedPolicy()
{
    routing::RouterConfig router = routing::RouterConfig::defaults();
    router.tiers[u"openai"_s][size_t(routing::ModelTier::Nano)].model = kNano;
    routing::ComplexityRule everything;
    everything.name = u"everything-low"_s;
    everything.result = routing::Complexity::Low;
    router.endpoints[u"*"_s].rules = QList<routing::ComplexityRule> {everything};
    const QJsonObject on {{u"enabled"_s, true}, {u"mode"_s, u"on"_s}, {u"router"_s, router.toJson()}};
    const QJsonObject off {{u"enabled"_s, false}, {u"mode"_s, u"off"_s}, {u"router"_s, router.toJson()}};
    return QJsonObject {{u"version"_s, 1},
                        {u"default"_s, QJsonObject {{u"routing"_s, off}}},
                        {u"endpoints"_s, QJsonObject {{u"chat"_s, QJsonObject {{u"routing"_s, on}}}}}};
}

} // namespace

class ProxyCommandPolicyTest : public QObject
{
    Q_OBJECT

    // Runs `tokenledger proxy --config <config>` with its settings in `dir`, sends one chat completion
    // for endpoint "chat" and returns the model the upstream received and the proxy's printed lines.
    static std::pair<QString, QString> modelUpstreamSees(const QTemporaryDir &dir, const QJsonObject &config,
                                                         test::LoopbackUpstream &upstream)
    {
        const QString configPath = dir.filePath(u"proxy.json"_s);
        QFile f(configPath);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return {};
        f.write(QJsonDocument(config).toJson());
        f.close();

        QProcess proxy;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"HOME"_s, dir.path());
        env.insert(u"XDG_CONFIG_HOME"_s, dir.filePath(u"config"_s));
        proxy.setProcessEnvironment(env);
        proxy.setProgram(qEnvironmentVariable("TOKENLEDGER_BIN"));
        proxy.setArguments({u"proxy"_s, u"--db"_s, dir.filePath(u"ledger.sqlite"_s), u"--config"_s, configPath,
                            u"--no-cache"_s});
        proxy.start();
        if (!proxy.waitForStarted(10'000))
            return {};
        QByteArray printed;
        quint16 port = 0;
        const QRegularExpression listening(u"listening on http://127\\.0\\.0\\.1:(\\d+)"_s);
        QElapsedTimer waited;
        waited.start();
        while (port == 0 && waited.elapsed() < 15'000 && proxy.state() == QProcess::Running) {
            proxy.waitForReadyRead(200);
            printed += proxy.readAllStandardOutput();
            port = quint16(listening.match(QString::fromUtf8(printed)).captured(1).toUInt());
        }
        if (port == 0) {
            qWarning() << "the proxy did not start:" << printed << proxy.readAllStandardError();
            proxy.kill();
            proxy.waitForFinished();
            return {};
        }
        // Its savings lines follow the listening line.
        proxy.waitForReadyRead(500);
        printed += proxy.readAllStandardOutput();

        QNetworkAccessManager network;
        QNetworkRequest req(QUrl(u"http://127.0.0.1:%1/v1/chat/completions"_s.arg(port)));
        req.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
        req.setRawHeader("Authorization", "Bearer sk-test-policy-0001");
        req.setRawHeader("X-TokenLedger-Endpoint", "chat");
        const QByteArray body = QJsonDocument(QJsonObject {
                                                  {u"model"_s, kRequested},
                                                  {u"max_tokens"_s, 50},
                                                  {u"messages"_s, QJsonArray {QJsonObject {{u"role"_s, u"user"_s},
                                                                                           {u"content"_s, u"Say hi"_s}}}},
                                              })
                                    .toJson(QJsonDocument::Compact);
        const int before = upstream.requestCount();
        QNetworkReply *reply = network.post(req, body);
        QSignalSpy done(reply, &QNetworkReply::finished);
        done.wait(15'000);
        const bool answered = reply->error() == QNetworkReply::NoError;
        reply->deleteLater();
        proxy.terminate(); // SIGTERM: graceful stop
        proxy.waitForFinished(15'000);
        if (!answered || upstream.requestCount() != before + 1) {
            qWarning() << "no answer through the proxy:" << reply->errorString();
            return {QString(), QString::fromUtf8(printed)};
        }
        const QJsonObject sent = QJsonDocument::fromJson(upstream.lastRequest().body).object();
        return {sent.value("model"_L1).toString(), QString::fromUtf8(printed)};
    }

private Q_SLOTS:
    void savedPolicyUnlessTheConfigHasOne()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        test::LoopbackUpstream upstream;
        {
            // Where the app (QSettings, organisation and application "TokenLedger") keeps its settings.
            QSettings settings(dir.filePath(u"config/TokenLedger/TokenLedger.conf"_s), QSettings::IniFormat);
            settings.setValue(QString::fromLatin1(SavingsPolicy::settingsKey),
                              QString::fromUtf8(QJsonDocument(savedPolicy()).toJson(QJsonDocument::Compact)));
            settings.sync();
            QCOMPARE(settings.status(), QSettings::NoError);
        }
        const QJsonArray upstreams {QJsonObject {{u"id"_s, u"openai"_s},
                                                 {u"kind"_s, u"openai"_s},
                                                 {u"baseUrl"_s, QString::fromLatin1(upstream.baseUrl())}}};

        // No "savings" in the file: the saved policy routes chat to the nano tier.
        const auto [savedModel, savedPrinted]
            = modelUpstreamSees(dir, QJsonObject {{u"port"_s, 0}, {u"upstreams"_s, upstreams}}, upstream);
        QCOMPARE(savedModel, kNano);
        QVERIFY2(savedPrinted.contains(u"savings chat: routing on"_s), qPrintable(savedPrinted));
        QVERIFY2(savedPrinted.contains(u"saved policy"_s), qPrintable(savedPrinted));

        // A "savings" object in the file wins over the saved policy: here, routing off everywhere.
        const QJsonObject fileSavings {{u"default"_s, QJsonObject {{u"routing"_s, QJsonObject {{u"enabled"_s, false}}}}}};
        const auto [fileModel, filePrinted] = modelUpstreamSees(
            dir, QJsonObject {{u"port"_s, 0}, {u"upstreams"_s, upstreams}, {u"savings"_s, fileSavings}}, upstream);
        QCOMPARE(fileModel, kRequested);
        QVERIFY2(!filePrinted.contains(u"savings chat:"_s), qPrintable(filePrinted));
        QVERIFY2(filePrinted.contains(u"--config"_s), qPrintable(filePrinted));
    }
};

} // namespace tl

QTEST_MAIN(tl::ProxyCommandPolicyTest)
#include "ProxyCommandPolicyTest.moc"
