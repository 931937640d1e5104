#pragma once

#include <QHash>
#include <QMainWindow>

#include <functional>
#include <memory>

class QActionGroup;
class QListWidget;
class QStackedWidget;

namespace tl {

class DashboardPage;
class Ledger;
class PricingPage;
class Prompter;
class Settings;
class StartupTrace;

// The main window: a sidebar of pages (Dashboard, Pricing, and pages the composition root adds, e.g.
// the Proxy page) and the menus (File, View, Settings, Help). Holds no business logic: each page is its
// own class in ui/<feature>/. Dialogs and file pickers go through the Prompter seam.
// Only the dashboard is built with the window: every other page (Pricing included) is built on its
// first visit (showPage(), page(), the sidebar or the View menu), so a start shows the dashboard
// without paying for pages nobody opened and without their queries queueing before the dashboard's.
// Thread affinity: GUI thread.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    using Clock = std::function<qint64()>; // now, UTC microseconds (tests inject one)

    MainWindow(Ledger &ledger, Settings &settings, QWidget *parent = nullptr);
    // `prompter`: answers dialogs (tests pass a scripted one); null = Qt's standard dialogs.
    MainWindow(Ledger &ledger, Settings &settings, std::shared_ptr<Prompter> prompter, Clock clock = {},
               QWidget *parent = nullptr);
    ~MainWindow() override;

    using PageFactory = std::function<QWidget *()>;

    // Adds a page to the sidebar (and the View menu). `id` is what showPage() and the screenshot
    // command's --page take; the window takes ownership of `page`.
    void addPage(const QString &id, const QString &title, QWidget *page);
    // Adds a page built by `factory` on its first visit (or first page(id) call); the window takes
    // ownership of what it returns. pageCreated() is emitted once it exists.
    void addPage(const QString &id, const QString &title, PageFactory factory);
    // The page, built now if it was not yet; null for an unknown id.
    QWidget *page(const QString &id);
    bool isPageBuilt(const QString &id) const { return m_byId.value(id) != nullptr; }
    void showPage(const QString &id);
    QString currentPageId() const;
    QStringList pageIds() const { return m_order; }
    // Applies the layout changes still queued: Qt lays a changed widget out through posted LayoutRequest
    // events, one level of nesting at a time, so right after a page shows new results (its dataLoaded())
    // its widgets can still sit where the old results put them, over each other. Call before a grab.
    // GUI thread only; dispatches only LayoutRequest events (no event loop).
    void applyPendingLayouts();

    DashboardPage *dashboard() const { return m_dashboard; }
    // The Pricing page, built now if it was not yet.
    PricingPage *pricing();
    Prompter &prompter() const { return *m_prompter; }

    // Optional: reports the first frame painted with the dashboard's data to `trace` (which must outlive
    // the window or be reset with nullptr). See StartupTrace.
    void setStartupTrace(StartupTrace *trace);

    void openImportDialog();
    void exportRecords();
    void chooseTimeZone();
    void showAbout();

Q_SIGNALS:
    void pageShown(const QString &id);
    void pageCreated(const QString &id, QWidget *page);

protected:
    bool event(QEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void insertPage(const QString &id, const QString &title, QWidget *page, PageFactory factory);
    QWidget *ensureBuilt(int row);
    void traceFrame(const char *how);
    void buildMenus();
    void setLanguage(const QString &language);
    void setTheme(const QString &theme);

    Ledger &m_ledger;
    Settings &m_settings;
    std::shared_ptr<Prompter> m_prompter;
    QListWidget *m_sidebar;
    QStackedWidget *m_pages;
    QHash<QString, QWidget *> m_byId; // null until a lazily added page is built
    QHash<QString, PageFactory> m_factories; // pages not built yet
    QStringList m_order;
    QMenu *m_viewMenu = nullptr;
    QActionGroup *m_pageActions = nullptr;
    DashboardPage *m_dashboard = nullptr;
    PricingPage *m_pricing = nullptr;
    StartupTrace *m_trace = nullptr;
    bool m_traceExposed = false;
};

} // namespace tl
