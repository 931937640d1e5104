#include "CliCommon.h"
#include "Command.h"

#include "ledger/Ledger.h"
#include "secrets/SecretStore.h"
#include "batch/ApiHttp.h"
#include "settings/Settings.h"
#include "teamspend/AdminSync.h"

#include <QCoroFuture>
#include <QCoroTask>
#include <QFile>
#include <QNetworkAccessManager>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace tl::cli {

namespace {

std::optional<ReportSource> sourceNamed(const QString &name)
{
    for (ReportSource s : allReportSources())
        if (toString(s) == name)
            return s;
    return std::nullopt;
}

} // namespace

// tokenledger sync: pulls the organisation usage and cost reports of the OpenAI and Anthropic Admin
// APIs into the ledger (AdminSync: incremental from each source's watermark, pagination, 429/5xx
// retried with backoff, a failed source leaves its earlier data intact).
//   tokenledger sync [--db PATH]
//                    [--source openai-usage,openai-embeddings-usage,openai-costs,anthropic-usage,anthropic-cost]
//                    [--openai-base URL] [--anthropic-base URL] [--first-days N]
//   tokenledger sync --set-key openai|anthropic     (the admin key on standard input, into the keychain)
// Without --source, the sources of every provider whose admin key is in the keychain are synced.
// Exit 0 when every source synced, 1 when one failed (its reason on stderr), 2 on a usage error.
int runSync(const QStringList &args)
{
    QCommandLineParser parser;
    addDbOption(parser);
    QStringList sourceNames;
    for (ReportSource s : allReportSources())
        sourceNames << toString(s);
    parser.addOption({u"source"_s,
                      u"Comma-separated report sources: %1 (default: every source with an admin key)."_s.arg(
                          sourceNames.join(u", "_s)),
                      u"LIST"_s});
    parser.addOption({u"openai-base"_s, u"OpenAI Admin API base URL (default https://api.openai.com/v1)."_s, u"URL"_s});
    parser.addOption({u"anthropic-base"_s, u"Anthropic Admin API base URL (default https://api.anthropic.com/v1)."_s, u"URL"_s});
    parser.addOption({u"first-days"_s, u"Days of history the first sync of a source fetches (default 30)."_s, u"N"_s});
    parser.addOption({u"set-key"_s, u"Store the admin key read from standard input in the OS keychain."_s, u"PROVIDER"_s});
    QString error;
    if (!parseArgs(parser, "sync", args, &error))
        return failWith("sync", kExitUsage, error);
    if (!parser.positionalArguments().isEmpty())
        return failWith("sync", kExitUsage, u"unexpected argument \"%1\""_s.arg(parser.positionalArguments().constFirst()));

    AdminSyncConfig config;
    for (const auto &[option, url] : {std::pair{u"openai-base"_s, &config.openAiBaseUrl}, std::pair{u"anthropic-base"_s, &config.anthropicBaseUrl}}) {
        if (!parser.isSet(option))
            continue;
        const QUrl u(parser.value(option));
        if (!u.isValid() || (u.scheme() != "https"_L1 && u.scheme() != "http"_L1) || u.host().isEmpty())
            return failWith("sync", kExitUsage, u"--%1 needs an http(s) URL"_s.arg(option));
        *url = u;
    }
    if (parser.isSet(u"first-days"_s)) {
        bool ok = false;
        const int days = parser.value(u"first-days"_s).toInt(&ok);
        if (!ok || days < 1 || days > 3650)
            return failWith("sync", kExitUsage, u"--first-days needs a number of days from 1 to 3650"_s);
        config.firstSyncDays = days;
    }

    KeychainSecretStore secrets;

    if (parser.isSet(u"set-key"_s)) {
        const QString provider = parser.value(u"set-key"_s);
        if (provider != "openai"_L1 && provider != "anthropic"_L1)
            return failWith("sync", kExitUsage, u"--set-key takes openai or anthropic"_s);
        const QByteArray key = readKeyFromStdin(u"%1 admin key (not shown): "_s.arg(provider));
        if (key.isEmpty())
            return failWith("sync", kExitUsage, u"no admin key on standard input"_s);
        const QString entry = provider == "openai"_L1 ? config.openAiAdminKeyName : config.anthropicAdminKeyName;
        const Result<void> stored = awaitSecret(secrets.write(entry, key));
        if (!stored)
            return failWith("sync", kExitFailure, stored.error().message);
        out(u"stored the %1 admin key in the OS keychain (entry \"%2\")\n"_s.arg(provider, entry));
        return kExitOk;
    }

    QList<ReportSource> sources;
    if (parser.isSet(u"source"_s)) {
        for (const QString &name : parser.value(u"source"_s).split(u',', Qt::SkipEmptyParts)) {
            const auto s = sourceNamed(name.trimmed());
            if (!s)
                return failWith("sync", kExitUsage,
                                u"unknown source \"%1\" (%2)"_s.arg(name, sourceNames.join(u", "_s)));
            if (!sources.contains(*s))
                sources.append(*s);
        }
        if (sources.isEmpty())
            return failWith("sync", kExitUsage, u"--source names no source"_s);
    }

    auto core = openFromDbOption(parser);
    if (!core)
        return failWith("sync", kExitFailure, core.error().message);
    config.callerSalt = Settings().callerSalt(); // key ids that look like keys get the proxy's ids, as in import
    QNetworkAccessManager network;
    AdminSync sync(*core->ledger, secrets, network, config);
    if (sources.isEmpty()) {
        // Every source of each provider whose admin key is stored; a missing key is not an error here.
        // With none, the keychain's own words say why (no entry, or no keychain reachable at all).
        const AdminSync::KeyedSources keyed = QCoro::waitFor(sync.sourcesWithKeysAndReasons());
        sources = keyed.sources;
        if (sources.isEmpty())
            return failWith("sync", kExitFailure,
                            u"no Admin API key could be read from the OS keychain (%1); store one with: tokenledger "
                            "sync --set-key openai < admin-key.txt"_s.arg(keyed.leftOut.join(u" "_s)));
    }
    QObject::connect(&sync, &AdminSync::progress, &sync, [](const QString &message) { err(message + u'\n'); });
    const SyncReport report = QCoro::waitFor(sync.sync(sources));
    // Every record handed to the writer is committed before the summary is printed.
    core->ledger->writer().flush().waitForFinished();
    out(report.summary() + u'\n');
    if (!report.ok())
        return failWith("sync", kExitFailure, u"a source failed to sync; its earlier data is unchanged"_s);
    return kExitOk;
}

} // namespace tl::cli
