#include "ReconciliationPage.h"

#include "ReconciliationModel.h"
#include "ledger/Ledger.h"
#include "teamspend/AdminSync.h"
#include "teamspend/Reconciliation.h"

#include <QCoroTask>
#include <QDateEdit>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTimeZone>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace tl {

ReconciliationPage::ReconciliationPage(Ledger &ledger, AdminSync &sync, QWidget *parent)
    : QWidget(parent), m_ledger(ledger), m_sync(sync)
{
    auto *layout = new QVBoxLayout(this);
    auto *keys = new QFormLayout;
    auto keyRow = [this, keys](const QString &label, const QString &provider, const QString &name, QLineEdit *&edit) {
        auto *row = new QHBoxLayout;
        edit = new QLineEdit(this);
        edit->setObjectName(name);
        edit->setEchoMode(QLineEdit::Password);
        edit->setPlaceholderText(tr("Admin key (kept in the system keychain only)"));
        auto *save = new QPushButton(tr("Save key"), this);
        save->setObjectName(name + u"Save"_s);
        row->addWidget(edit);
        row->addWidget(save);
        keys->addRow(label, row);
        QLineEdit *target = edit;
        connect(save, &QPushButton::clicked, this, [this, provider, target] { saveKey(provider, target); });
    };
    keyRow(tr("OpenAI admin key:"), u"openai"_s, u"openAiAdminKey"_s, m_openAiKey);
    keyRow(tr("Anthropic admin key:"), u"anthropic"_s, u"anthropicAdminKey"_s, m_anthropicKey);
    layout->addLayout(keys);

    auto *bar = new QHBoxLayout;
    auto *syncButton = new QPushButton(tr("Sync now"), this);
    syncButton->setObjectName(u"teamSpendSync"_s);
    const QDate today = QDateTime::currentDateTimeUtc().date();
    m_from = new QDateEdit(today.addDays(-30), this);
    m_from->setObjectName(u"reconcileFrom"_s);
    m_from->setCalendarPopup(true);
    m_to = new QDateEdit(today, this);
    m_to->setObjectName(u"reconcileTo"_s);
    m_to->setCalendarPopup(true);
    bar->addWidget(syncButton);
    bar->addWidget(new QLabel(tr("From:"), this));
    bar->addWidget(m_from);
    bar->addWidget(new QLabel(tr("To:"), this));
    bar->addWidget(m_to);
    bar->addStretch();
    layout->addLayout(bar);
    m_status = new QLabel(this);
    m_status->setObjectName(u"teamSpendStatus"_s);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    m_model = new ReconciliationModel(this);
    auto *sorter = new QSortFilterProxyModel(this);
    sorter->setSourceModel(m_model);
    sorter->setSortRole(ReconciliationModel::SortRole);
    m_table = new QTableView(this);
    m_table->setObjectName(u"reconciliationTable"_s);
    m_table->setModel(sorter);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(ReconciliationModel::Day, Qt::DescendingOrder);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    layout->addWidget(m_table, 1);
    m_totals = new QLabel(this);
    m_totals->setObjectName(u"reconciliationTotals"_s);
    layout->addWidget(m_totals);

    connect(syncButton, &QPushButton::clicked, this, &ReconciliationPage::syncNow);
    connect(m_from, &QDateEdit::dateChanged, this, &ReconciliationPage::refresh);
    connect(m_to, &QDateEdit::dateChanged, this, &ReconciliationPage::refresh);
    connect(&m_sync, &AdminSync::progress, m_status, &QLabel::setText);
    connect(&m_ledger, &Ledger::recordsAdded, this, &ReconciliationPage::refresh);
    refresh();
}

ReconciliationPage::~ReconciliationPage() = default;

void ReconciliationPage::saveKey(const QString &provider, QLineEdit *edit)
{
    const QByteArray key = edit->text().toUtf8();
    edit->clear(); // the key stays in the keychain only
    QCoro::connect(m_sync.setAdminKey(provider, key), this, [this](const Async<void> &r) {
        m_status->setText(r ? tr("Admin key saved in the system keychain.") : r.error().message);
    });
}

void ReconciliationPage::syncNow()
{
    m_status->setText(tr("Syncing…"));
    QCoro::connect(m_sync.sync(), this, [this](const SyncReport &report) {
        m_status->setText(report.summary());
        refresh();
    });
}

void ReconciliationPage::refresh()
{
    const qint64 from = QDateTime(m_from->date(), QTime(0, 0), QTimeZone::utc()).toMSecsSinceEpoch() * 1000;
    const qint64 to = QDateTime(m_to->date().addDays(1), QTime(0, 0), QTimeZone::utc()).toMSecsSinceEpoch() * 1000;
    QPointer<ReconciliationPage> self(this);
    m_ledger.read<Result<Reconciliation>>([from, to](QSqlDatabase &db) { return Reconcile::compute(db, from, to); })
        .then(this, [self](const Result<Reconciliation> &r) {
            if (!self)
                return;
            if (!r) {
                self->m_status->setText(r.error().message);
                return;
            }
            self->m_model->setRows(r->rows);
            self->m_totals->setText(tr("Billed %1, recorded %2, difference %3: outside the proxy %4, price differences %5, unpriced %6.")
                                        .arg(formatUsd(r->billed), formatUsd(r->recorded), formatUsd(r->difference),
                                             formatUsd(r->outsideProxy), formatUsd(r->priceDifference), formatUsd(r->unpriced)));
        });
}

} // namespace tl
