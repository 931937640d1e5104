#pragma once

#include <QWidget>

class QComboBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QStackedWidget;
class QTableView;

namespace tl {

class SyncScheduler;
class Ledger;
class ReconciliationModel;

// The Team spend page: admin keys (stored in the keychain only), Sync now and the automatic sync
// schedule (SyncScheduler, which outlives the page), and the reconciliation of provider-billed against
// recorded spend per day and model. Logic lives in core/teamspend.
class ReconciliationPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReconciliationPage)

public:
    ReconciliationPage(Ledger &ledger, SyncScheduler &scheduler, QWidget *parent = nullptr);
    ~ReconciliationPage() override;

    void refresh();
    // No row in the chosen range: the page shows how to get data in (admin key, Sync) instead of the table.
    bool isShowingEmptyState() const;

private:
    QWidget *buildEmptyState();
    void showEmptyState(bool empty);
    void saveKey(const QString &provider, QLineEdit *edit);
    void syncNow();
    void showSchedule();

    Ledger &m_ledger;
    SyncScheduler &m_scheduler;
    QComboBox *m_interval = nullptr;
    QLabel *m_scheduleText = nullptr;
    QLineEdit *m_openAiKey = nullptr;
    QLineEdit *m_anthropicKey = nullptr;
    QDateEdit *m_from = nullptr;
    QDateEdit *m_to = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_totals = nullptr;
    ReconciliationModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QStackedWidget *m_stack = nullptr;
    QWidget *m_empty = nullptr;
    QLabel *m_emptyTitle = nullptr;
};

} // namespace tl
