#include "MainWindow.h"

#include "common/DateRange.h"
#include "common/FutureGuard.h"
#include "common/Prompter.h"
#include "common/RecordExport.h"
#include "common/Theme.h"
#include "dashboard/DashboardPage.h"
#include "dashboard/StartupTrace.h"
#include "dialogs/ImportDialog.h"
#include "dialogs/TimeZoneDialog.h"
#include "ledger/Ledger.h"
#include "pricing/PricingPage.h"
#include "settings/Settings.h"

#include <QActionGroup>
#include <QApplication>
#include <QDir>
#include <QEvent>
#include <QFileInfo>
#include <QListWidget>
#include <QMenuBar>
#include <QSqlQuery>
#include <QStackedWidget>
#include <QStatusBar>
#include <QHBoxLayout>
#include <QWindow>

using namespace Qt::StringLiterals;

namespace tl {

MainWindow::MainWindow(Ledger &ledger, Settings &settings, QWidget *parent)
    : MainWindow(ledger, settings, nullptr, {}, parent)
{
}

MainWindow::MainWindow(Ledger &ledger, Settings &settings, std::shared_ptr<Prompter> prompter, Clock clock,
                       QWidget *parent)
    : QMainWindow(parent)
    , m_ledger(ledger)
    , m_settings(settings)
    , m_prompter(prompter ? std::move(prompter) : std::make_shared<Prompter>())
    , m_sidebar(new QListWidget)
    , m_pages(new QStackedWidget)
{
    setObjectName(u"mainWindow"_s);
    setWindowTitle(tr("TokenLedger"));
    resize(1280, 800);

    m_sidebar->setObjectName(u"pageList"_s);
    m_sidebar->setFrameShape(QFrame::NoFrame);
    m_sidebar->setBackgroundRole(QPalette::Window);
    m_sidebar->setSpacing(2);
    QFont sideFont = m_sidebar->font();
    sideFont.setPointSizeF(sideFont.pointSizeF() * 1.1);
    m_sidebar->setFont(sideFont);
    connect(m_sidebar, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row < 0 || row >= m_order.size())
            return;
        ensureBuilt(row);
        m_pages->setCurrentIndex(row);
        if (m_pageActions && row < m_pageActions->actions().size())
            m_pageActions->actions().at(row)->setChecked(true);
        Q_EMIT pageShown(m_order.at(row));
    });
    auto *central = new QWidget;
    auto *row = new QHBoxLayout(central);
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(0);
    row->addWidget(m_sidebar);
    auto *rule = new QFrame(central);
    rule->setFrameShape(QFrame::VLine);
    rule->setFrameShadow(QFrame::Plain);
    rule->setForegroundRole(QPalette::Mid);
    row->addWidget(rule);
    row->addWidget(m_pages, 1);
    setCentralWidget(central);

    buildMenus();
    m_dashboard = new DashboardPage(m_ledger, m_settings, *m_prompter, std::move(clock));
    addPage(u"dashboard"_s, tr("Dashboard"), m_dashboard);
    // The Pricing page holds the whole price book in a model and asks for all-time unpriced models:
    // built on its first visit, not before the dashboard's first frame.
    addPage(u"pricing"_s, tr("Pricing"), PageFactory([this] {
                m_pricing = new PricingPage(m_ledger, *m_prompter);
                return m_pricing;
            }));
    connect(m_dashboard, &DashboardPage::importRequested, this, &MainWindow::openImportDialog);
    connect(m_dashboard, &DashboardPage::proxyRequested, this, [this] { showPage(u"proxy"_s); });
    connect(m_dashboard, &DashboardPage::addPriceRequested, this, [this](const QString &provider, const QString &model) {
        showPage(u"pricing"_s);
        pricing()->addPriceFor(provider, model);
    });
    connect(&m_ledger, &Ledger::writeFailed, this,
            [this](const QString &message) { statusBar()->showMessage(tr("Cannot save calls: %1").arg(message)); });
    statusBar()->showMessage(tr("Ledger: %1").arg(QDir::toNativeSeparators(m_ledger.path())));
    showPage(u"dashboard"_s);
}

MainWindow::~MainWindow() = default;

void MainWindow::addPage(const QString &id, const QString &title, QWidget *page)
{
    insertPage(id, title, page, {});
}

void MainWindow::addPage(const QString &id, const QString &title, PageFactory factory)
{
    insertPage(id, title, nullptr, std::move(factory));
}

void MainWindow::insertPage(const QString &id, const QString &title, QWidget *page, PageFactory factory)
{
    if (m_byId.contains(id))
        return;
    m_byId.insert(id, page);
    m_order << id;
    if (page) {
        m_pages->addWidget(page);
    } else {
        m_factories.insert(id, std::move(factory));
        m_pages->addWidget(new QWidget); // stands in for the page until ensureBuilt()
    }
    auto *item = new QListWidgetItem(title, m_sidebar);
    item->setData(Qt::UserRole, id);
    item->setSizeHint(QSize(0, m_sidebar->fontMetrics().height() * 2));
    // As wide as the longest title, within reason (font metrics, so it scales with DPI and language).
    const int textWidth = m_sidebar->fontMetrics().horizontalAdvance(title) + 3 * m_sidebar->fontMetrics().height();
    const int lineHeight = m_sidebar->fontMetrics().height();
    m_sidebar->setFixedWidth(std::clamp(std::max(m_sidebar->minimumWidth(), textWidth), lineHeight * 7, lineHeight * 14));
    if (m_viewMenu) {
        auto *action = new QAction(title, m_pageActions);
        action->setCheckable(true);
        action->setObjectName(u"showPage_"_s + id);
        const int n = int(m_order.size());
        if (n <= 9)
            action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_0 + n)));
        connect(action, &QAction::triggered, this, [this, id] { showPage(id); });
        m_viewMenu->insertAction(m_viewMenu->actions().value(n - 1), action);
    }
    if (m_dashboard && id == u"proxy")
        m_dashboard->setProxyAvailable(true);
}

QWidget *MainWindow::page(const QString &id)
{
    const int row = int(m_order.indexOf(id));
    return row >= 0 ? ensureBuilt(row) : nullptr;
}

QWidget *MainWindow::ensureBuilt(int row)
{
    const QString id = m_order.value(row);
    QWidget *built = m_byId.value(id);
    if (built || !m_factories.contains(id))
        return built;
    const PageFactory factory = m_factories.take(id);
    built = factory();
    m_byId.insert(id, built);
    QWidget *placeholder = m_pages->widget(row);
    m_pages->insertWidget(row, built); // the current page stays current
    m_pages->removeWidget(placeholder);
    delete placeholder;
    Q_EMIT pageCreated(id, built);
    return built;
}

PricingPage *MainWindow::pricing()
{
    page(u"pricing"_s);
    return m_pricing;
}

void MainWindow::setStartupTrace(StartupTrace *trace)
{
    m_trace = trace && trace->isEnabled() ? trace : nullptr;
    if (!m_trace)
        return;
    connect(m_dashboard, &DashboardPage::dataLoaded, this, [this] {
        if (m_trace && !m_traceExposed)
            m_trace->mark("dashboard data applied (window not yet exposed)");
        else if (m_trace)
            m_trace->mark("dashboard data applied to its widgets");
    }, Qt::SingleShotConnection);
}

bool MainWindow::event(QEvent *e)
{
    if (!m_trace)
        return QMainWindow::event(e);
    if (e->type() == QEvent::Show && windowHandle())
        windowHandle()->installEventFilter(this);
    const bool result = QMainWindow::event(e);
    // QWidget::event(UpdateRequest) paints every dirty widget and flushes the backing store: when it
    // returns, the frame is complete.
    if (e->type() == QEvent::UpdateRequest)
        traceFrame("first frame painted with the dashboard's data (end of backing-store sync)");
    return result;
}

bool MainWindow::eventFilter(QObject *watched, QEvent *e)
{
    if (m_trace && watched == windowHandle() && e->type() == QEvent::Expose && windowHandle()->isExposed()) {
        if (!m_traceExposed) {
            m_traceExposed = true;
            m_trace->mark("window exposed: first frame starts");
        }
        // The expose paints synchronously after this filter; a queued call runs once it is done.
        if (m_dashboard->isLoaded())
            QMetaObject::invokeMethod(this, [this] { traceFrame("first frame painted with the dashboard's data (expose)"); },
                                      Qt::QueuedConnection);
    }
    return QMainWindow::eventFilter(watched, e);
}

void MainWindow::traceFrame(const char *how)
{
    if (!m_trace || !m_traceExposed || !m_dashboard->isLoaded() || currentPageId() != u"dashboard")
        return;
    m_trace->markWithMemory(how);
    m_trace = nullptr;
    if (windowHandle())
        windowHandle()->removeEventFilter(this);
}

void MainWindow::applyPendingLayouts()
{
    // Each round applies one level (a child's layout posts its parent's request); deeper than any page.
    for (int level = 0; level < 32; ++level)
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
}

void MainWindow::showPage(const QString &id)
{
    const int row = int(m_order.indexOf(id));
    if (row >= 0)
        m_sidebar->setCurrentRow(row);
}

QString MainWindow::currentPageId() const
{
    return m_order.value(m_pages->currentIndex());
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *import = file->addAction(tr("&Import…"), this, &MainWindow::openImportDialog);
    import->setObjectName(u"actionImport"_s);
    import->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));
    QAction *exportAction = file->addAction(tr("&Export…"), this, &MainWindow::exportRecords);
    exportAction->setObjectName(u"actionExport"_s);
    exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setObjectName(u"actionQuit"_s);
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_pageActions = new QActionGroup(this);
    m_viewMenu->addSeparator();
    QMenu *ranges = m_viewMenu->addMenu(tr("&Range"));
    auto *rangeGroup = new QActionGroup(this);
    const QList<std::pair<DateRange::Preset, QString>> presets{
        {DateRange::Preset::Last24h, tr("Last &24 hours")}, {DateRange::Preset::Last7d, tr("Last &7 days")},
        {DateRange::Preset::Last30d, tr("Last &30 days")},  {DateRange::Preset::Last90d, tr("Last &90 days")},
        {DateRange::Preset::All, tr("&All time")},
    };
    for (const auto &[preset, title] : presets) {
        QAction *a = ranges->addAction(title);
        a->setCheckable(true);
        a->setObjectName(u"actionRange_"_s + DateRange::id(preset));
        a->setChecked(m_settings.dashboardRange() == DateRange::id(preset));
        rangeGroup->addAction(a);
        connect(a, &QAction::triggered, this, [this, p = preset] {
            DateRange r;
            r.preset = p;
            m_dashboard->setRange(r);
            showPage(u"dashboard"_s);
        });
    }
    QAction *refresh = m_viewMenu->addAction(tr("Re&fresh"), this, [this] { m_dashboard->refresh(); });
    refresh->setShortcut(QKeySequence::Refresh);

    QMenu *settings = menuBar()->addMenu(tr("&Settings"));
    QMenu *language = settings->addMenu(tr("&Language"));
    auto *languageGroup = new QActionGroup(this);
    const QList<std::pair<QString, QString>> languages{
        {QString(), tr("&System default")}, {u"en"_s, u"English"_s}, {u"zh_CN"_s, u"简体中文"_s}};
    for (const auto &[code, title] : languages) {
        QAction *a = language->addAction(title);
        a->setCheckable(true);
        a->setChecked(m_settings.language() == code);
        a->setObjectName(u"actionLanguage_"_s + (code.isEmpty() ? u"system"_s : code));
        languageGroup->addAction(a);
        connect(a, &QAction::triggered, this, [this, c = code] { setLanguage(c); });
    }
    QMenu *theme = settings->addMenu(tr("&Theme"));
    auto *themeGroup = new QActionGroup(this);
    const QList<std::pair<QString, QString>> themes{
        {u"system"_s, tr("&System")}, {u"light"_s, tr("&Light")}, {u"dark"_s, tr("&Dark")}};
    for (const auto &[code, title] : themes) {
        QAction *a = theme->addAction(title);
        a->setCheckable(true);
        a->setChecked(m_settings.theme() == code);
        a->setObjectName(u"actionTheme_"_s + code);
        themeGroup->addAction(a);
        connect(a, &QAction::triggered, this, [this, c = code] { setTheme(c); });
    }
    QAction *zone = settings->addAction(tr("Time &zone…"), this, &MainWindow::chooseTimeZone);
    zone->setObjectName(u"actionTimeZone"_s);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *about = help->addAction(tr("&About TokenLedger"), this, &MainWindow::showAbout);
    about->setObjectName(u"actionAbout"_s);
    about->setMenuRole(QAction::AboutRole);
}

void MainWindow::setLanguage(const QString &language)
{
    m_settings.setLanguage(language);
    m_prompter->information(this, tr("Language"), tr("The language changes when you restart TokenLedger."));
}

void MainWindow::setTheme(const QString &theme)
{
    m_settings.setTheme(theme);
    Theme::apply(theme);
}

void MainWindow::openImportDialog()
{
    auto *dialog = new ImportDialog(m_ledger, *m_prompter, this);
    dialog->setCallerSalt(m_settings.callerSalt());
    m_prompter->showDialog(dialog);
}

void MainWindow::exportRecords()
{
    const QString path = m_prompter->saveFileName(this, tr("Export calls"), u"tokenledger-export.jsonl"_s,
                                                  tr("JSON Lines (*.jsonl);;CSV (*.csv)"));
    if (path.isEmpty())
        return;
    const ExportFormat format =
        QFileInfo(path).suffix().compare(u"csv"_s, Qt::CaseInsensitive) == 0 ? ExportFormat::Csv : ExportFormat::Jsonl;
    const auto [from, to] = m_dashboard->resolvedRange();
    statusBar()->showMessage(tr("Exporting…"));
    continueOn(tl::exportRecords(m_ledger, path, format, from, to), this, [this, path](Result<qint64> n) {
        if (!n) {
            statusBar()->clearMessage();
            m_prompter->warning(this, tr("Export calls"), n.error().message);
            return;
        }
        statusBar()->showMessage(tr("Exported %n call(s) of the dashboard's range to %1.", nullptr, int(*n))
                                     .arg(QDir::toNativeSeparators(path)));
    });
}

void MainWindow::chooseTimeZone()
{
    auto *dialog = new TimeZoneDialog(m_settings.timeZone(), this);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { m_settings.setTimeZone(dialog->zoneId()); });
    m_prompter->showDialog(dialog);
}

void MainWindow::showAbout()
{
    // The Azure trace is credited when the ledger holds calls imported from it (CC-BY 4.0).
    m_ledger
        .read<bool>([](QSqlDatabase &db) {
            QSqlQuery q(db);
            q.prepare(u"SELECT 1 FROM calls WHERE source_ref LIKE ? LIMIT 1"_s);
            q.addBindValue(u"AzureLLMInferenceTrace%"_s);
            return q.exec() && q.next();
        })
        .then(this, [this](bool hasAzure) {
            QString text = tr("<h3>TokenLedger %1</h3><p>Where your LLM API money goes, on your own machine.</p>")
                               .arg(QCoreApplication::applicationVersion());
            text += tr("<p>Price data: pydantic/genai-prices 0.1.8, MIT licence.</p>");
            if (hasAzure)
                text += tr("<p>Sample data: Azure LLM inference trace 2023 (Azure Public Dataset; Patel et al., "
                           "“Splitwise: Efficient generative LLM inference using phase splitting”, ISCA 2024), "
                           "CC-BY 4.0.</p>");
            m_prompter->about(this, tr("About TokenLedger"), text);
        });
}

} // namespace tl
