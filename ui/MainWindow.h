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

// The main window: a sidebar of pages (Dashboard, Pricing, and pages the composition root adds, e.g.
// the Proxy page) and the menus (File, View, Settings, Help). Holds no business logic: each page is its
// own class in ui/<feature>/. Dialogs and file pickers go through the Prompter seam.
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

    // Adds a page to the sidebar (and the View menu). `id` is what showPage() and the screenshot
    // command's --page take; the window takes ownership of `page`.
    void addPage(const QString &id, const QString &title, QWidget *page);
    QWidget *page(const QString &id) const;
    void showPage(const QString &id);
    QString currentPageId() const;
    QStringList pageIds() const { return m_order; }

    DashboardPage *dashboard() const { return m_dashboard; }
    PricingPage *pricing() const { return m_pricing; }
    Prompter &prompter() const { return *m_prompter; }

    void openImportDialog();
    void exportRecords();
    void chooseTimeZone();
    void showAbout();

Q_SIGNALS:
    void pageShown(const QString &id);

private:
    void buildMenus();
    void setLanguage(const QString &language);
    void setTheme(const QString &theme);

    Ledger &m_ledger;
    Settings &m_settings;
    std::shared_ptr<Prompter> m_prompter;
    QListWidget *m_sidebar;
    QStackedWidget *m_pages;
    QHash<QString, QWidget *> m_byId;
    QStringList m_order;
    QMenu *m_viewMenu = nullptr;
    QActionGroup *m_pageActions = nullptr;
    DashboardPage *m_dashboard = nullptr;
    PricingPage *m_pricing = nullptr;
};

} // namespace tl
