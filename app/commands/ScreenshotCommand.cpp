#include "CliCommon.h"
#include "AppContext.h"
#include "Command.h"

#include "MainWindow.h"
#include "common/DateRange.h"
#include "common/Theme.h"
#include "common/Translations.h"
#include "settings/Settings.h"
#include "simulate/Scenario.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QMetaMethod>
#include <QPixmap>
#include <QRegularExpression>
#include <QSettings>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace tl::cli {

namespace {

// Grabs the window once the page says its data is loaded (its dataLoaded() signal, connected by
// meta-method so any added page can offer it), then ends the application's exec() with the exit code.
// Pages without such a signal are grabbed after the first round of queued events.
class ScreenshotTaker final : public QObject
{
    Q_OBJECT

public:
    ScreenshotTaker(MainWindow *window, QString out)
        : m_window(window)
        , m_out(std::move(out))
    {
    }

public Q_SLOTS:
    void pageReady()
    {
        if (m_done)
            return;
        m_done = true;
        // One more turn of the loop so layouts triggered by the last results are applied.
        QTimer::singleShot(50, this, [this] {
            m_window->applyPendingLayouts(); // else the Simulator's first results are grabbed over each other
            const QPixmap shot = m_window->grab();
            if (shot.isNull() || !shot.save(m_out, "PNG")) {
                QCoreApplication::exit(failWith("screenshot", kExitFailure,
                                                u"cannot write %1 (check the folder exists and is writable)"_s.arg(m_out)));
                return;
            }
            std::printf("%s (%dx%d px)\n", qPrintable(m_out), shot.width(), shot.height());
            QCoreApplication::exit(kExitOk);
        });
    }

private:
    MainWindow *m_window;
    QString m_out;
    bool m_done = false;
};

} // namespace

int runScreenshot(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Render a page of the main window offscreen to a PNG file."_s);
    parser.addHelpOption();
    const QCommandLineOption db(u"db"_s, u"Ledger database file."_s, u"PATH"_s);
    const QCommandLineOption page(
        u"page"_s, u"Page id: dashboard, pricing, or an added page (proxy, batch, simulator, routing, teamspend)."_s,
        u"ID"_s, u"dashboard"_s);
    const QCommandLineOption out(u"out"_s, u"PNG file to write."_s, u"FILE"_s);
    const QCommandLineOption size(u"size"_s, u"Window size in device-independent pixels."_s, u"WxH"_s,
                                  u"1440x900"_s);
    const QCommandLineOption lang(u"lang"_s, u"UI language: en or zh_CN."_s, u"LANG"_s, u"en"_s);
    const QCommandLineOption theme(u"theme"_s, u"light or dark."_s, u"THEME"_s, u"light"_s);
    const QCommandLineOption range(u"range"_s, u"Dashboard range: 24h, 7d, 30d, 90d or all."_s, u"RANGE"_s,
                                   u"all"_s);
    const QCommandLineOption zone(u"timezone"_s, u"Time zone of the dashboard's buckets (default: local)."_s,
                                  u"TZ"_s);
    const QCommandLineOption scenario(u"scenario"_s, u"Simulator page: the scenario to show (JSON file)."_s, u"FILE"_s);
    const QCommandLineOption defaultSettings(
        u"default-settings"_s,
        u"Render with the built-in defaults instead of a copy of your saved settings (the Proxy page's port, "
        "upstreams and cache, the Simulator's scenario, ...). Either way your settings are never changed."_s);
    parser.addOptions({db, page, out, size, lang, theme, range, zone, scenario, defaultSettings});
    if (!parser.parse(QStringList{u"tokenledger screenshot"_s} + args))
        return failWith("screenshot", kExitUsage, parser.errorText());
    if (parser.isSet(u"help"_s)) {
        cli::out(helpText(parser, "screenshot"));
        return kExitOk;
    }
    if (!parser.isSet(db) || !parser.isSet(out))
        return failWith("screenshot", kExitUsage, u"--db PATH and --out FILE.png are required"_s);
    const QRegularExpression sizeRe(u"^(\\d{2,5})x(\\d{2,5})$"_s);
    const auto sizeMatch = sizeRe.match(parser.value(size));
    if (!sizeMatch.hasMatch())
        return failWith("screenshot", kExitUsage, u"--size must look like 1440x900"_s);
    if (parser.value(lang) != u"en" && parser.value(lang) != u"zh_CN")
        return failWith("screenshot", kExitUsage, u"--lang must be en or zh_CN"_s);
    if (parser.value(theme) != u"light" && parser.value(theme) != u"dark")
        return failWith("screenshot", kExitUsage, u"--theme must be light or dark"_s);
    const auto preset = DateRange::fromId(parser.value(range));
    if (!preset || *preset == DateRange::Preset::Custom)
        return failWith("screenshot", kExitUsage, u"--range must be 24h, 7d, 30d, 90d or all"_s);
    if (!QFileInfo::exists(parser.value(db)))
        return failWith("screenshot", kExitFailure, u"there is no ledger at %1"_s.arg(parser.value(db)));

    Translations::install(parser.value(lang));
    Theme::apply(parser.value(theme));
    auto core = AppContext::openCore(parser.value(db));
    if (!core)
        return failWith("screenshot", kExitFailure, core.error().message);

    // Settings for this run only: a copy of the user's saved settings (the pages show what the user set:
    // the Proxy page's port and upstreams, ...), or the defaults with --default-settings. The pages may
    // write settings as they load; they write the copy, never the user's own. --lang, --theme, --range
    // and --timezone apply on top of either.
    QTemporaryDir settingsDir;
    Settings settings(settingsDir.filePath(u"screenshot.ini"_s));
    if (!parser.isSet(defaultSettings)) {
        const QSettings saved; // the platform's usual place (main() set the organisation and application)
        for (const QString &key : saved.allKeys())
            settings.setValue(key, saved.value(key));
    }
    settings.setDashboardRange(DateRange::id(*preset));
    settings.setTimeZone(parser.value(zone));
    settings.setTheme(parser.value(theme));
    if (parser.isSet(scenario)) {
        // The Simulator page starts from the scenario stored under "simulator/scenario".
        QFile file(parser.value(scenario));
        if (!file.open(QIODevice::ReadOnly))
            return failWith("screenshot", kExitFailure, u"cannot read %1: %2"_s.arg(file.fileName(), file.errorString()));
        const QJsonDocument doc = QJsonDocument::fromJson(file.readAll());
        const auto parsed = Scenario::fromJson(doc.object());
        if (!doc.isObject() || !parsed)
            return failWith("screenshot", kExitFailure,
                            u"%1 is not a scenario: %2"_s.arg(file.fileName(), parsed ? u"not a JSON object"_s : parsed.error().message));
        settings.setValue(u"simulator/scenario"_s, QString::fromUtf8(QJsonDocument(parsed->toJson()).toJson(QJsonDocument::Compact)));
    }

    auto window = AppContext::createMainWindow(*core, settings);
    QWidget *target = window->page(parser.value(page));
    if (!target)
        return failWith("screenshot", kExitUsage,
                        u"unknown page '%1' (pages: %2)"_s.arg(parser.value(page), window->pageIds().join(u", "_s)));
    window->resize(sizeMatch.captured(1).toInt(), sizeMatch.captured(2).toInt());
    window->showPage(parser.value(page));
    window->show();

    ScreenshotTaker taker(window.get(), parser.value(out));
    const int signal = target->metaObject()->indexOfSignal("dataLoaded()");
    if (signal >= 0) {
        const QMetaMethod slot = taker.metaObject()->method(taker.metaObject()->indexOfSlot("pageReady()"));
        QObject::connect(target, target->metaObject()->method(signal), &taker, slot);
        // A query that finished before its continuation was attached runs that continuation at once,
        // so the page may already be loaded: ask it (Q_INVOKABLE bool isLoaded()).
        bool loaded = false;
        if (target->metaObject()->indexOfMethod("isLoaded()") >= 0
            && QMetaObject::invokeMethod(target, "isLoaded", Qt::DirectConnection, Q_RETURN_ARG(bool, loaded))
            && loaded)
            QTimer::singleShot(0, &taker, &ScreenshotTaker::pageReady);
    } else {
        QTimer::singleShot(200, &taker, &ScreenshotTaker::pageReady);
    }
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&timeout, &QTimer::timeout, &taker, [] {
        QCoreApplication::exit(failWith("screenshot", kExitFailure, u"the page did not finish loading in 60 s"_s));
    });
    timeout.start(60'000);
    return QApplication::exec();
}

} // namespace tl::cli

#include "ScreenshotCommand.moc"
