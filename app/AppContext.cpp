#include "AppContext.h"

#include "MainWindow.h"
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
#include "batch/BatchService.h"
#include "common/Prompter.h"
#include "teamspend/AdminSync.h"
#include "teamspend/SyncScheduler.h"
#include "teamspend/ReconciliationPage.h"
#include "simulator/SimulatorPage.h"

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
    return CoreServices{*book, std::move(*ledger)};
}

int runGui(const QString &dbPath)
{
    auto core = openCore(dbPath);
    if (!core) {
        QMessageBox::critical(nullptr, QApplication::translate("AppContext", "TokenLedger"), core.error().message);
        return 1;
    }
    Settings settings;
    Translations::install(settings.language()); // a language change applies on restart
    Theme::apply(settings.theme());
    auto window = createMainWindow(*core, settings);
    window->show();
    return QApplication::exec();
}

std::unique_ptr<MainWindow> createMainWindow(CoreServices &core, Settings &settings)
{
    auto window = std::make_unique<MainWindow>(*core.ledger, settings);
    // The proxy: a child of the window, so it stops (and records its in-flight requests) before the
    // ledger closes.
    auto *proxy = new Proxy(*core.ledger, core.tokenizers, window.get());
    window->addPage(u"proxy"_s, QApplication::translate("AppContext", "Proxy"),
                    new ProxyPage(*proxy, settings, std::make_shared<KeychainSecretStore>(), window.get()));
    window->statusBar()->addPermanentWidget(new ProxyStatusIndicator(*proxy, window.get()));
    // The Pricing page's cost calculator counts tokens with the app's tokenizers (bundled rank files).
    Ledger *ledger = core.ledger.get();
    window->pricing()->setCalculator(new CostCalculatorWidget([ledger] { return ledger->pricer(); }, core.tokenizers));
    // Batch jobs and team spend: one network manager for the GUI thread; keys from the keychain, which
    // lives as long as the window (the lambda holding it goes with the window).
    auto *network = new QNetworkAccessManager(window.get());
    auto keychain = std::make_shared<KeychainSecretStore>();
    QObject::connect(window.get(), &QObject::destroyed, network, [keychain] {});
    auto *batches = new BatchService(*core.ledger, *keychain, *network, {}, window.get());
    window->addPage(u"batch"_s, QApplication::translate("AppContext", "Batch jobs"),
                    new BatchPage(*batches, *core.ledger, core.tokenizers, std::make_shared<Prompter>(), window.get()));
    // The what-if simulator; its "Apply to proxy" stores the savings policy in settings for the proxy.
    auto *simulator = new SimulatorPage(*core.ledger, settings, std::make_shared<Prompter>(), {}, window.get());
    window->addPage(u"simulator"_s, QApplication::translate("AppContext", "Simulator"), simulator);
    QObject::connect(simulator, &SimulatorPage::importRequested, window.get(), &MainWindow::openImportDialog);
    MainWindow *w = window.get();
    QObject::connect(simulator, &SimulatorPage::proxyRequested, w, [w] { w->showPage(u"proxy"_s); });
    auto *adminSync = new AdminSync(*core.ledger, *keychain, *network, {}, window.get());
    // Sync now and the optional schedule (Settings "teamspend/..."); runs whether the page is open or not.
    auto *syncScheduler = new SyncScheduler(*adminSync, settings, {}, window.get());
    syncScheduler->start();
    window->addPage(u"teamspend"_s, QApplication::translate("AppContext", "Team spend"),
                    new ReconciliationPage(*core.ledger, *syncScheduler, window.get()));
    return window;
}

} // namespace tl::AppContext
