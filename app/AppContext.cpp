#include "AppContext.h"

#include "MainWindow.h"
#include "dashboard/StartupTrace.h"
#include "proxy/Proxy.h"
#include "proxy/ProxyPage.h"
#include "proxy/ProxyStatusIndicator.h"
#include "secrets/SecretStore.h"
#include "common/Theme.h"
#include "common/Translations.h"
#include "pricing/CostCalculatorWidget.h"
#include "pricing/PricingPage.h"
#include "ledger/Database.h"
#include "settings/Settings.h"
#include "batch/BatchPage.h"
#include "batch/BatchSavings.h"
#include "batch/BatchService.h"
#include "common/Prompter.h"
#include "teamspend/AdminSync.h"
#include "teamspend/SyncScheduler.h"
#include "teamspend/ReconciliationPage.h"
#include "dashboard/EmptyState.h"
#include "simulator/SimulatorPage.h"
#include "routing/RoutingPage.h"

#include <QNetworkAccessManager>

#include <QApplication>
#include <QMessageBox>
#include <QStatusBar>

using namespace Qt::StringLiterals;

namespace tl::AppContext {

Result<CoreServices> openCore(const QString &dbPath)
{
    auto book = PriceBook::builtIn();
    if (!book)
        return std::unexpected(book.error());
    auto ledger = Ledger::open(dbPath.isEmpty() ? Database::defaultPath() : dbPath, *book);
    if (!ledger)
        return std::unexpected(ledger.error());
    // Batch records priced before a batch call kept its saving get it (once per ledger, on the writer
    // thread, queued before any new record).
    batch::backfillBatchSavings(**ledger);
    // Estimates for models whose tokenizer is not public learn a factor from a sample of proxy calls
    // (tokenizer/CalibrationSampler.h; pairs kept in the ledger's token_calibration table).
    auto tokenizers = std::make_shared<tokenizer::Tokenizers>();
    tokenizers->startCalibrationSampling((*ledger)->path());
    return CoreServices{*book, std::move(*ledger), std::move(tokenizers)};
}

Result<CoreServices> openCoreReadOnly(const QString &dbPath)
{
    auto book = PriceBook::builtIn();
    if (!book)
        return std::unexpected(book.error());
    auto ledger = Ledger::openReadOnly(dbPath.isEmpty() ? Database::defaultPath() : dbPath, *book);
    if (!ledger)
        return std::unexpected(ledger.error());
    return CoreServices{*book, std::move(*ledger)};
}

int runGui(const QString &dbPath, StartupTrace &trace)
{
    auto core = openCore(dbPath);
    if (!core) {
        QMessageBox::critical(nullptr, QApplication::translate("AppContext", "TokenLedger"), core.error().message);
        return 1;
    }
    trace.mark("core open (price book, ledger, pricer)");
    Settings settings;
    Translations::install(settings.language()); // a language change applies on restart
    Theme::apply(settings.theme());
    trace.mark("settings, translations and theme applied");
    auto window = createMainWindow(*core, settings);
    window->setStartupTrace(&trace);
    trace.mark("main window built (dashboard queries started)");
    window->show();
    trace.mark("window shown; entering the event loop");
    const int code = QApplication::exec();
    window->setStartupTrace(nullptr);
    return code;
}

std::unique_ptr<MainWindow> createMainWindow(CoreServices &core, Settings &settings)
{
    auto window = std::make_unique<MainWindow>(*core.ledger, settings);
    MainWindow *w = window.get();
    // Only the dashboard is built before the window shows: every other page is added with a factory and
    // built on its first visit (MainWindow::addPage), so their widgets, models and queries cost nothing
    // until then. Services that must run with the page closed (proxy, batch polling, sync schedule) are
    // built here.
    // The proxy: a child of the window, so it stops (and records its in-flight requests) before the
    // ledger closes.
    auto *proxy = new Proxy(*core.ledger, core.tokenizers, w);
    window->addPage(u"proxy"_s, QApplication::translate("AppContext", "Proxy"), MainWindow::PageFactory([proxy, &settings, w] {
                        return new ProxyPage(*proxy, settings, std::make_shared<KeychainSecretStore>(), w);
                    }));
    window->statusBar()->addPermanentWidget(new ProxyStatusIndicator(*proxy, w));
    // The Pricing page's cost calculator counts tokens with the app's tokenizers (bundled rank files,
    // loaded by Tokenizers on the first count).
    Ledger *ledger = core.ledger.get();
    QObject::connect(w, &MainWindow::pageCreated, w,
                     [w, ledger, tokenizers = core.tokenizers](const QString &id, QWidget *) {
                         if (id == u"pricing")
                             w->pricing()->setCalculator(
                                 new CostCalculatorWidget([ledger] { return ledger->pricer(); }, tokenizers));
                     });
    // Batch jobs and team spend: one network manager for the GUI thread and the keychain, owned by the
    // services that use them (shared), so neither goes before them whatever the window's children order.
    auto network = std::make_shared<QNetworkAccessManager>();
    std::shared_ptr<SecretStore> keychain = std::make_shared<KeychainSecretStore>();
    auto *batches = new BatchService(*core.ledger, keychain, network, {}, w);
    window->addPage(u"batch"_s, QApplication::translate("AppContext", "Batch jobs"),
                    MainWindow::PageFactory([batches, ledger, tokenizers = core.tokenizers, w] {
                        return new BatchPage(*batches, *ledger, tokenizers, std::make_shared<Prompter>(), w);
                    }));
    // The what-if simulator; its "Apply to proxy" stores the savings policy in settings for the proxy.
    window->addPage(u"simulator"_s, QApplication::translate("AppContext", "Simulator"),
                    MainWindow::PageFactory([ledger, &settings, w] {
                        auto *simulator = new SimulatorPage(*ledger, settings, std::make_shared<Prompter>(), {}, w);
                        QObject::connect(simulator, &SimulatorPage::importRequested, w, &MainWindow::openImportDialog);
                        QObject::connect(simulator, &SimulatorPage::proxyRequested, w, [w] { w->showPage(u"proxy"_s); });
                        // Its empty state offers "Set up the proxy" as the dashboard's does (the page is added above).
                        simulator->emptyState()->setProxyAvailable(w->pageIds().contains(u"proxy"_s));
                        return simulator;
                    }));
    // Model routing: the router's tiers, rules and per-endpoint modes, saved in the proxy's savings policy;
    // "Use in simulator" makes the edited config the Simulator scenario's complexity router.
    window->addPage(u"routing"_s, QApplication::translate("AppContext", "Routing"),
                    MainWindow::PageFactory([ledger, &settings, w, tokenizers = core.tokenizers] {
                        auto *routingPage
                            = new RoutingPage(*ledger, settings, tokenizers, std::make_shared<Prompter>(), {}, w);
                        QObject::connect(routingPage, &RoutingPage::useInSimulatorRequested, w,
                                         [w](const routing::RouterConfig &config) {
                                             auto *simulator = static_cast<SimulatorPage *>(w->page(u"simulator"_s));
                                             simulator->useRouterConfig(config);
                                             w->showPage(u"simulator"_s);
                                         });
                        return routingPage;
                    }));
    AdminSyncConfig syncConfig;
    syncConfig.callerSalt = settings.callerSalt(); // report key ids that look like keys get the proxy's ids
    auto *adminSync = new AdminSync(*core.ledger, keychain, network, syncConfig, w);
    // Sync now and the optional schedule (Settings "teamspend/..."); runs whether the page is open or not.
    auto *syncScheduler = new SyncScheduler(*adminSync, settings, {}, w);
    syncScheduler->start();
    window->addPage(u"teamspend"_s, QApplication::translate("AppContext", "Team spend"),
                    MainWindow::PageFactory([ledger, syncScheduler, w] {
                        return new ReconciliationPage(*ledger, *syncScheduler, w);
                    }));
    return window;
}

} // namespace tl::AppContext
