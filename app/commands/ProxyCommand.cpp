#include "CliCommon.h"
#include "Command.h"

#include "ledger/Ledger.h"
#include "ledger/LedgerWriter.h"
#include "proxy/CallerIdentity.h"
#include "proxy/Http1Client.h"
#include "proxy/Proxy.h"
#include "proxy/SavingsPolicy.h"
#include "secrets/SecretStore.h"
#include "settings/Settings.h"
#include "tokenizer/Tokenizers.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <csignal>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace tl::cli {

namespace {

std::atomic<int> g_stopSignals{0}; // SIGINT/SIGTERM received (async-signal-safe: a lock-free atomic)
extern "C" void onStopSignal(int) { g_stopSignals.fetch_add(1); }

} // namespace

int runProxy(const QStringList &args)
{
    QCommandLineParser parser;
    addDbOption(parser);
    parser.addOption({u"port"_s, u"Port to listen on (default 8787)."_s, u"N"_s});
    parser.addOption({u"bind"_s, u"Address to listen on (default 127.0.0.1; any other address needs an access "
                                  "token in the TOKENLEDGER_PROXY_TOKEN environment variable)."_s,
                      u"ADDR"_s});
    parser.addOption({u"upstream"_s, u"PROVIDER=BASE_URL (openai, anthropic, azure, openrouter, or any name for an "
                                      "OpenAI-compatible server); repeatable."_s,
                      u"SPEC"_s});
    parser.addOption({u"config"_s, u"JSON file: {port, bind, upstreams: [{id, kind, baseUrl, priceProvider, "
                                    "keychainEntry, azureApiVersion}], cache: {enabled, ttlSeconds, maxBytes, storeTruncated}, store_text_endpoints: "
                                    "[ENDPOINT, ...], savings: {default, endpoints, record_embeddings, embedding_upstream, "
                                    "few_shot_path}, and limits and timeouts in bytes and ms: maxBodyBytes, maxHeaderBytes, "
                                    "maxConnections, headerTimeoutMs, bodyTimeoutMs, keepAliveIdleMs, connectTimeoutMs, "
                                    "firstByteTimeoutMs, idleTimeoutMs, clientHighWaterBytes, clientLowWaterBytes, "
                                    "clientWriteTimeoutMs, drainTimeoutMs, busyPollUs in us, and plainHttpClient: \"builtin\" or "
                                    "\"libcurl\" (docs/proxy.md, Configuration)}. Without "
                                    "\"savings\", the savings policy the app saved (Routing page, Simulator page's "
                                    "Apply to proxy) is used; with it, the file's policy is used alone."_s,
                      u"FILE"_s});
    parser.addOption({u"no-cache"_s, u"Run without the exact cache."_s});
    parser.addOption({u"store-text"_s, u"Keep the request and response bodies of this endpoint's calls in the "
                                        "ledger (off for every endpoint by default); repeatable."_s,
                      u"ENDPOINT"_s});
    parser.addOption({u"keychain-key"_s, u"The key this upstream gets when a client sends none comes from the OS "
                                          "keychain (entry proxy/upstream/UPSTREAM, as the Proxy page keeps it); "
                                          "repeatable."_s,
                      u"UPSTREAM"_s});
    parser.addOption({u"set-key"_s, u"Store the upstream's API key, read from standard input, in the OS keychain "
                                     "(entry proxy/upstream/UPSTREAM) and exit."_s,
                      u"UPSTREAM"_s});
    parser.addOption({u"remove-key"_s, u"Remove the upstream's API key from the OS keychain and exit."_s, u"UPSTREAM"_s});
    QString error;
    if (!parseArgs(parser, "proxy", args, &error))
        return failWith("proxy", kExitUsage, error);
    if (!parser.positionalArguments().isEmpty())
        return failWith("proxy", kExitUsage, u"unexpected argument \"%1\""_s.arg(parser.positionalArguments().constFirst()));

    // Keys for upstreams, stored or removed without a window (a shared machine): the entry the Proxy page uses.
    if (parser.isSet(u"set-key"_s) || parser.isSet(u"remove-key"_s)) {
        const bool set = parser.isSet(u"set-key"_s);
        const QString option = set ? u"set-key"_s : u"remove-key"_s;
        if (parser.isSet(u"set-key"_s) && parser.isSet(u"remove-key"_s))
            return failWith("proxy", kExitUsage, u"--set-key and --remove-key cannot be used together"_s);
        const QString id = parser.value(option).trimmed();
        if (id.isEmpty())
            return failWith("proxy", kExitUsage, u"--%1 needs an upstream name, for example --%1 openai"_s.arg(option));
        const QString entry = UpstreamConfig::defaultKeychainEntry(id);
        KeychainSecretStore secrets;
        if (!set) {
            // The keychain removes a missing entry without a word: a misspelt name would say "removed" while the
            // real key stays (session-16 trial). Say what is stored.
            const Result<QByteArray> stored = awaitSecret(secrets.read(entry));
            if (!stored)
                return failWith("proxy", kExitFailure, stored.error().message);
            const Result<void> removed = awaitSecret(secrets.remove(entry));
            if (!removed)
                return failWith("proxy", kExitFailure, removed.error().message);
            out(u"removed the %1 key from the OS keychain (entry \"%2\")\n"_s.arg(id, entry));
            return kExitOk;
        }
        const QByteArray key = readKeyFromStdin(u"API key for upstream %1 (not shown): "_s.arg(id));
        if (key.isEmpty())
            return failWith("proxy", kExitUsage, u"no key on standard input (tokenledger proxy --set-key %1 < FILE)"_s.arg(id));
        const Result<void> stored = awaitSecret(secrets.write(entry, key));
        if (!stored)
            return failWith("proxy", kExitFailure, stored.error().message);
        out(u"stored the %1 key in the OS keychain (entry \"%2\"); the proxy adds it to requests that bring no key "
            "of their own when run with --keychain-key %1, or \"keychainEntry\": \"%2\" in its --config file, or "
            "from the Proxy page\n"_s.arg(id, entry));
        return kExitOk;
    }

    ProxyConfig config;
    QList<UpstreamConfig> upstreams;
    QJsonObject savingsConfig;
    if (parser.isSet(u"config"_s)) {
        QFile f(parser.value(u"config"_s));
        if (!f.open(QIODevice::ReadOnly))
            return failWith("proxy", kExitFailure, u"Cannot read %1: %2"_s.arg(f.fileName(), f.errorString()));
        QJsonParseError pe{};
        const QByteArray text = f.readAll();
        const QJsonDocument doc = QJsonDocument::fromJson(text, &pe);
        if (pe.error != QJsonParseError::NoError) {
            // Where, as an editor shows it: line and column (1-based, in bytes) of QJsonParseError's offset.
            const QByteArrayView before = QByteArrayView(text).first(qBound(0, pe.offset, int(text.size())));
            const qsizetype line = before.count('\n') + 1;
            const qsizetype column = before.size() - (before.lastIndexOf('\n') + 1) + 1;
            return failWith("proxy", kExitUsage, u"%1 is not valid JSON at line %2, column %3: %4"_s.arg(f.fileName())
                                                     .arg(line)
                                                     .arg(column)
                                                     .arg(pe.errorString()));
        }
        if (!doc.isObject())
            return failWith("proxy", kExitUsage, u"%1: the configuration must be a JSON object"_s.arg(f.fileName()));
        // Unknown keys, wrong types and values out of range are usage errors naming the key (a TTL given
        // as the string "2", or a misspelt "cahce", used to leave the defaults in place without a word).
        config.upstreams.clear();
        if (auto r = readProxyConfigJson(doc.object(), config, &savingsConfig); !r)
            return failWith("proxy", kExitUsage, u"%1: %2"_s.arg(f.fileName(), r.error().message));
        upstreams = config.upstreams;
    }
    if (parser.isSet(u"port"_s)) {
        bool ok = false;
        const int port = parser.value(u"port"_s).toInt(&ok);
        if (!ok || port < 0 || port > 65535)
            return failWith("proxy", kExitUsage, u"--port needs a number from 0 to 65535"_s);
        config.port = quint16(port);
    }
    if (parser.isSet(u"bind"_s)) {
        config.bindAddress = QHostAddress(parser.value(u"bind"_s));
        if (config.bindAddress.isNull())
            return failWith("proxy", kExitUsage, u"--bind needs an IP address"_s);
    }
    for (const QString &spec : parser.values(u"upstream"_s)) {
        const qsizetype eq = spec.indexOf(u'=');
        if (eq <= 0)
            return failWith("proxy", kExitUsage, u"--upstream needs PROVIDER=BASE_URL (got \"%1\")"_s.arg(spec));
        const QString name = spec.left(eq).trimmed();
        UpstreamConfig u = UpstreamConfig::defaults(upstreamKindFromString(name).value_or(UpstreamKind::OpenAiCompatible));
        u.id = name;
        const QString baseUrl = spec.mid(eq + 1).trimmed();
        if (!baseUrl.startsWith("http://"_L1, Qt::CaseInsensitive) && !baseUrl.startsWith("https://"_L1, Qt::CaseInsensitive))
            return failWith("proxy", kExitUsage,
                            u"--upstream %1: BASE_URL needs http:// or https://, for example "
                            "%1=http://127.0.0.1:8000/v1 (got \"%2\")"_s.arg(name, baseUrl));
        u.baseUrl = QUrl(baseUrl);
        // A later --upstream with the same name replaces an earlier one (command line over config file).
        upstreams.removeIf([&](const UpstreamConfig &x) { return x.id == u.id; });
        upstreams << u;
    }
    if (upstreams.isEmpty())
        upstreams = {UpstreamConfig::defaults(UpstreamKind::OpenAi), UpstreamConfig::defaults(UpstreamKind::Anthropic)};
    for (const QString &spec : parser.values(u"keychain-key"_s)) {
        const QString id = spec.trimmed();
        const auto it = std::find_if(upstreams.begin(), upstreams.end(), [&](const UpstreamConfig &u) { return u.id == id; });
        if (it == upstreams.end()) {
            QStringList ids;
            for (const UpstreamConfig &u : std::as_const(upstreams))
                ids << u.id;
            return failWith("proxy", kExitUsage,
                            u"--keychain-key %1: no upstream of that name (the upstreams are: %2)"_s.arg(id, ids.join(u", "_s)));
        }
        it->keychainEntry = UpstreamConfig::defaultKeychainEntry(id);
    }
    config.upstreams = upstreams;
    if (parser.isSet(u"no-cache"_s))
        config.cache.enabled = false;
    for (const QString &endpoint : parser.values(u"store-text"_s))
        config.storeTextEndpoints.insert(endpoint);
    config.accessToken = qgetenv("TOKENLEDGER_PROXY_TOKEN");
    if (auto v = config.validate(); !v) {
        QString message = v.error().message;
        // ProxyConfig's refusal is shared with the Proxy page (which has a field for the token); here the
        // token comes from the environment, so say how to set it.
        if (!config.bindAddress.isLoopback() && config.accessToken.size() < 16)
            message += u" Set one in the TOKENLEDGER_PROXY_TOKEN environment variable, e.g. "
                       "TOKENLEDGER_PROXY_TOKEN=\"$(openssl rand -hex 16)\" tokenledger proxy --bind %1 ..."_s
                           .arg(config.bindAddress.toString());
        return failWith("proxy", kExitUsage, message);
    }

    Settings settings;
    config.callerSalt = settings.callerSalt();

    // Savings levers: the policy the app saved (Settings "proxy/savings_policy": the Routing page, the
    // Simulator page's "Apply to proxy"), unless the config file has its own "savings", which then
    // wins whole (no merge; the saved policy is not read, so a broken one does not stop the proxy).
    QString savingsSource;
    if (savingsConfig.isEmpty()) {
        auto saved = SavingsPolicy::fromSettingsText(
            settings.value(QString::fromLatin1(SavingsPolicy::settingsKey)).toByteArray());
        if (!saved)
            return failWith("proxy", kExitUsage,
                            u"the saved savings policy (settings key %1): %2"_s.arg(
                                QString::fromLatin1(SavingsPolicy::settingsKey), saved.error().message));
        config.savings = *saved;
        savingsSource = u"the saved policy (settings key %1)"_s.arg(QString::fromLatin1(SavingsPolicy::settingsKey));
    } else {
        auto fromFile = SavingsPolicy::fromConfigJson(savingsConfig);
        if (!fromFile)
            return failWith("proxy", kExitUsage, u"--config \"savings\": %1"_s.arg(fromFile.error().message));
        config.savings = *fromFile;
        savingsSource = u"--config %1 (\"savings\"; the saved policy is not used)"_s.arg(parser.value(u"config"_s));
    }

    auto core = openFromDbOption(parser);
    if (!core)
        return failWith("proxy", kExitFailure, core.error().message);
    int exitCode = kExitOk;
    {
        Proxy proxy(*core->ledger, core->tokenizers); // the registry that samples calls for calibration
        KeychainSecretStore secrets;
        QTimer poll;
        auto fatal = [&](const QString &message) {
            exitCode = failWith("proxy", kExitFailure, message);
            QCoreApplication::exit(exitCode);
        };
        auto startProxy = [&]() {
            proxy.start(config).then(&proxy, [&](Result<quint16> port) {
                if (!port)
                    return fatal(port.error().message);
                out(u"tokenledger proxy: listening on http://%1:%2 (ledger %3)\n"_s.arg(urlHost(config.bindAddress.toString()))
                        .arg(*port)
                        .arg(core->ledger->path()));
                // With its kind: a misspelt provider name ("anthropc=...") is an OpenAI-compatible server.
                for (const UpstreamConfig &u : std::as_const(config.upstreams))
                    out(u"  upstream %1 (%2) -> %3%4\n"_s.arg(u.id, toString(u.kind), u.baseUrl.toString(),
                                                                u.keychainEntry.isEmpty()
                                                                    ? QString()
                                                                    : u", key from the keychain (entry %1) for requests "
                                                                      "without one"_s.arg(u.keychainEntry)));
                const auto plain = std::find_if(config.upstreams.cbegin(), config.upstreams.cend(),
                                                [](const UpstreamConfig &u) { return u.baseUrl.scheme() == "http"_L1; });
                if (plain != config.upstreams.cend()) {
                    // As UpstreamClient decides: the setting, the system, and the environment's proxy variables.
                    const bool builtin = config.plainHttpClient == PlainHttpClient::Builtin
                                         && Http1Client::takes(plain->baseUrl.toString().toUtf8());
                    out(builtin ? u"  plain-HTTP upstreams through the proxy's own HTTP/1.1 client\n"_s
                                : u"  plain-HTTP upstreams through libcurl\n"_s);
                }
                out(u"  savings policy from %1\n"_s.arg(savingsSource));
                for (auto it = config.savings.endpoints.cbegin(); it != config.savings.endpoints.cend(); ++it)
                    out(u"  savings %1: %2\n"_s.arg(it.key(), SavingsPolicy::describe(it.value()).join(u"; "_s)));
                out(u"  savings (other endpoints): %1\n"_s.arg(SavingsPolicy::describe(config.savings.defaults).join(u"; "_s)));
                std::fflush(stdout); // a long-running command: whoever reads the pipe sees the port now
                poll.start(50);
            });
        };
        // Upstream keys named in the config come from the OS keychain, one after another; a missing
        // one is an error (no plaintext fallback).
        std::function<void(qsizetype)> readKey = [&](qsizetype i) {
            while (i < config.upstreams.size() && config.upstreams[i].keychainEntry.isEmpty())
                ++i;
            if (i == config.upstreams.size())
                return startProxy();
            secrets.read(config.upstreams[i].keychainEntry).then(&proxy, [&, i](Result<QByteArray> key) {
                if (!key) {
                    const UpstreamConfig &u = config.upstreams[i];
                    // Say how to store it when the entry is the one --set-key writes.
                    if (key.error().code == ErrorCode::NotFound && u.keychainEntry == UpstreamConfig::defaultKeychainEntry(u.id))
                        return fatal(key.error().message + u" Store it with: tokenledger proxy --set-key %1 < FILE"_s.arg(u.id));
                    return fatal(key.error().message);
                }
                config.upstreams[i].apiKey = *key;
                readKey(i + 1);
            });
        };

        // The writer's failures (a full disk, an I/O error) reach the terminal: the proxy goes on answering and
        // the records wait in memory (LedgerWriter retries every second). Said once, then every 30 s while it
        // lasts, and once more when the ledger takes records again.
        LedgerWriter &writer = core->ledger->writer();
        QString writeFailure;
        QElapsedTimer failureSaid;
        QObject::connect(&writer, &LedgerWriter::writeFailed, &proxy, [&](const QString &message) {
            if (writeFailure.isEmpty() || failureSaid.elapsed() >= 30'000) {
                err(u"tokenledger proxy: %1 %2 records wait.\n"_s.arg(message).arg(writer.pending()));
                failureSaid.start();
            }
            writeFailure = message;
        });
        QObject::connect(&writer, &LedgerWriter::committed, &proxy, [&](qint64) {
            if (writeFailure.isEmpty())
                return;
            writeFailure.clear();
            err(u"tokenledger proxy: the ledger takes records again; the waiting ones are written.\n"_s);
        });

        std::signal(SIGINT, onStopSignal);
        std::signal(SIGTERM, onStopSignal);
        bool stopping = false;
        bool hurried = false;
        int signalsAtFlush = -1; // the signals seen when only the records were left to write (-1: not yet)
        QObject::connect(&poll, &QTimer::timeout, &proxy, [&]() {
            const int signals = g_stopSignals.load();
            if (signals == 0)
                return;
            if (signalsAtFlush >= 0) {
                // The proxy has stopped; records wait for a ledger that cannot take them. Another signal
                // exits without them, said, and with a failure status: never a silent loss.
                if (signals > signalsAtFlush) {
                    err(u"tokenledger proxy: exiting without writing %1 records (%2)\n"_s.arg(writer.pending())
                            .arg(writeFailure.isEmpty() ? u"stopped while they waited"_s : writeFailure));
                    exitCode = kExitFailure;
                    QCoreApplication::quit();
                }
                return;
            }
            if (stopping) {
                // A second signal: the drain deadline now, so Ctrl-C twice does not wait for long streams
                // (drainTimeoutMs may be hours). In-flight requests are answered and recorded.
                if (signals >= 2 && !hurried) {
                    hurried = true;
                    err(u"tokenledger proxy: second signal: answering the in-flight requests now...\n"_s);
                    proxy.hurryStop();
                }
                return;
            }
            stopping = true;
            err(u"tokenledger proxy: stopping, finishing in-flight requests (a second signal stops at once)...\n"_s);
            proxy.stop().then(&proxy, [&]() {
                const qint64 answered = proxy.stats().requests.load();
                signalsAtFlush = g_stopSignals.load();
                if (!writeFailure.isEmpty())
                    err(u"tokenledger proxy: %1 records wait for the ledger: %2 Free the space (or fix the cause) to "
                        "write them, or send another signal to exit without them.\n"_s.arg(writer.pending()).arg(writeFailure));
                // Every record handed to the writer is committed before we exit.
                writer.flush().then(&proxy, [answered]() {
                    out(u"tokenledger proxy: stopped after %1 requests; every record written.\n"_s.arg(answered));
                    QCoreApplication::quit();
                });
            });
        });
        QTimer::singleShot(0, &proxy, [&]() { readKey(0); });
        const int loopCode = QCoreApplication::exec();
        if (exitCode == kExitOk)
            exitCode = loopCode;
    }
    core->ledger.reset(); // drains the writer
    return exitCode;
}

} // namespace tl::cli
