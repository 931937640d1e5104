#include "ReconciliationPage.h"

#include "ReconciliationModel.h"
#include "ledger/Ledger.h"
#include "teamspend/AdminSync.h"
#include "teamspend/Reconciliation.h"
#include "teamspend/SyncScheduler.h"

#include <QComboBox>
#include <QDateTime>
#include <QLocale>
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
#include <QStackedWidget>
#include <QTableView>
#include <QTimeZone>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace tl {

ReconciliationPage::ReconciliationPage(Ledger &ledger, SyncScheduler &scheduler, QWidget *parent)
    : QWidget(parent), m_ledger(ledger), m_scheduler(scheduler)
{
    auto *layout = new QVBoxLayout(this);
    auto *keys = new QFormLayout;
    auto keyRow = [this, keys](const QString &label, const QString &provider, const QString &name, QLineEdit *&edit) {
        auto *row = new QHBoxLayout;
        edit = new QLineEdit(this);
        edit->setObjectName(name);
        edit->setEchoMode(QLineEdit::Password);
        edit->setPlaceholderText(tr("Admin key (kept in the system keychain only)"));
        auto *save = new QPushButton(tr("Save &key"), this);
        save->setObjectName(name + u"Save"_s);
        row->addWidget(edit);
        row->addWidget(save);
        keys->addRow(label, row);
        QLineEdit *target = edit;
        connect(save, &QPushButton::clicked, this, [this, provider, target] { saveKey(provider, target); });
    };
    keyRow(tr("OpenAI admin key:"), u"openai"_s, u"openAiAdminKey"_s, m_openAiKey);
    keyRow(tr("Anthropic admin key:"), u"anthropic"_s, u"anthropicAdminKey"_s, m_anthropicKey);
    // Automatic sync: off by default; the schedule runs in the app whether or not this page is open.
    auto *scheduleRow = new QHBoxLayout;
    m_interval = new QComboBox(this);
    m_interval->setObjectName(u"teamSpendInterval"_s);
    m_interval->addItem(tr("Off"), 0);
    m_interval->addItem(tr("Every hour"), 1);
    m_interval->addItem(tr("Every 6 hours"), 6);
    m_interval->addItem(tr("Every day"), 24);
    m_scheduleText = new QLabel(this);
    m_scheduleText->setObjectName(u"teamSpendSchedule"_s);
    scheduleRow->addWidget(m_interval);
    scheduleRow->addWidget(m_scheduleText, 1);
    auto *intervalLabel = new QLabel(tr("Sync &automatically:"), this);
    intervalLabel->setBuddy(m_interval);
    keys->addRow(intervalLabel, scheduleRow);
    layout->addLayout(keys);

    auto *bar = new QHBoxLayout;
    auto *syncButton = new QPushButton(tr("Sync &now"), this);
    syncButton->setObjectName(u"teamSpendSync"_s);
    const QDate today = QDateTime::currentDateTimeUtc().date();
    m_from = new QDateEdit(today.addDays(-30), this);
    m_from->setObjectName(u"reconcileFrom"_s);
    m_from->setCalendarPopup(true);
    m_to = new QDateEdit(today, this);
    m_to->setObjectName(u"reconcileTo"_s);
    m_to->setCalendarPopup(true);
    // The table's days are ISO dates (UTC); the range reads the same way, not as an English two-digit year.
    for (QDateEdit *edit : {m_from, m_to})
        edit->setDisplayFormat(u"yyyy-MM-dd"_s);
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
    // The table and its totals, or (no row in the range) an empty state that says how to get data in.
    m_stack = new QStackedWidget(this);
    auto *tablePage = new QWidget(m_stack);
    auto *tableLayout = new QVBoxLayout(tablePage);
    tableLayout->setContentsMargins(0, 0, 0, 0);
    m_table = new QTableView(tablePage);
    m_table->setObjectName(u"reconciliationTable"_s);
    m_table->setModel(sorter);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(ReconciliationModel::Day, Qt::DescendingOrder);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    tableLayout->addWidget(m_table, 1);
    m_totals = new QLabel(tablePage);
    m_totals->setObjectName(u"reconciliationTotals"_s);
    // Wrapped: one line of it set the page's minimum width (1,448 px with a note, wider than a laptop screen).
    m_totals->setWordWrap(true);
    tableLayout->addWidget(m_totals);
    m_stack->addWidget(tablePage);
    m_empty = buildEmptyState();
    m_stack->addWidget(m_empty);
    m_stack->setCurrentWidget(m_empty); // until the first query answers
    layout->addWidget(m_stack, 1);

    connect(syncButton, &QPushButton::clicked, this, &ReconciliationPage::syncNow);
    connect(m_from, &QDateEdit::dateChanged, this, &ReconciliationPage::refresh);
    connect(m_to, &QDateEdit::dateChanged, this, &ReconciliationPage::refresh);
    connect(&m_scheduler.adminSync(), &AdminSync::progress, m_status, &QLabel::setText);
    connect(&m_scheduler, &SyncScheduler::started, this, [this, syncButton] {
        syncButton->setEnabled(false);
        m_status->setText(tr("Syncing…"));
        showSchedule();
    });
    connect(&m_scheduler, &SyncScheduler::finished, this, [this, syncButton](const SyncReport &report) {
        syncButton->setEnabled(true);
        m_status->setText(report.summary());
        showSchedule();
        refresh();
    });
    connect(&m_scheduler, &SyncScheduler::scheduleChanged, this, &ReconciliationPage::showSchedule);
    connect(m_interval, &QComboBox::activated, this, [this](int index) { m_scheduler.setIntervalHours(m_interval->itemData(index).toInt()); });
    syncButton->setEnabled(!m_scheduler.isRunning());
    showSchedule();
    connect(&m_ledger, &Ledger::recordsAdded, this, &ReconciliationPage::refresh);
    refresh();
}

ReconciliationPage::~ReconciliationPage() = default;

QWidget *ReconciliationPage::buildEmptyState()
{
    auto *empty = new QWidget(m_stack);
    empty->setObjectName(u"reconciliationEmptyState"_s);
    m_emptyTitle = new QLabel(empty);
    m_emptyTitle->setObjectName(u"reconciliationEmptyTitle"_s);
    QFont big = m_emptyTitle->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    m_emptyTitle->setFont(big);
    m_emptyTitle->setAlignment(Qt::AlignCenter);
    auto *text = new QLabel(
        tr("This table puts what OpenAI and Anthropic billed your organisation next to what TokenLedger recorded, "
           "per day and model. To get the providers' figures in:"
           "<ol><li>Paste an <b>admin key</b> above and press <b>Save key</b> (OpenAI: Settings ▸ Organization ▸ "
           "Admin keys; Anthropic Console: Settings ▸ Admin keys). It is kept in the system keychain only.</li>"
           "<li>Press <b>Sync now</b>, or choose how often to <b>sync automatically</b>. Each sync fetches only "
           "the days not complete yet.</li></ol>"
           "From the command line: <code>tokenledger sync --set-key openai &lt; admin-key.txt</code>, then "
           "<code>tokenledger sync</code>. Calls through the local proxy, batch jobs and imports appear here as "
           "recorded spend."),
        empty);
    text->setObjectName(u"reconciliationEmptyText"_s);
    text->setWordWrap(true);
    text->setTextFormat(Qt::RichText);
    // A fixed width in font units and the height it needs: wrapped rich text in a centred layout would
    // otherwise get a one-line height and be clipped.
    const int width = text->fontMetrics().averageCharWidth() * 80;
    text->setFixedWidth(width);
    text->setMinimumHeight(text->heightForWidth(width));
    auto *enterKey = new QPushButton(tr("Enter an &admin key"), empty);
    enterKey->setObjectName(u"reconciliationEmptyEnterKey"_s);
    connect(enterKey, &QPushButton::clicked, this, [this] { m_openAiKey->setFocus(Qt::OtherFocusReason); });
    auto *sync = new QPushButton(tr("Sync &now"), empty);
    sync->setObjectName(u"reconciliationEmptySync"_s);
    connect(sync, &QPushButton::clicked, this, &ReconciliationPage::syncNow);
    // One sync at a time: this button follows the bar's "Sync now".
    sync->setEnabled(!m_scheduler.isRunning());
    connect(&m_scheduler, &SyncScheduler::started, sync, [sync] { sync->setEnabled(false); });
    connect(&m_scheduler, &SyncScheduler::finished, sync, [sync] { sync->setEnabled(true); });

    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(enterKey);
    buttons->addWidget(sync);
    buttons->addStretch(1);
    auto *centred = new QHBoxLayout;
    centred->addStretch(1);
    centred->addWidget(text);
    centred->addStretch(1);
    auto *column = new QVBoxLayout(empty);
    column->addStretch(1);
    column->addWidget(m_emptyTitle);
    column->addSpacing(12);
    column->addLayout(centred);
    column->addSpacing(12);
    column->addLayout(buttons);
    column->addStretch(2);
    return empty;
}

void ReconciliationPage::showEmptyState(bool empty)
{
    m_emptyTitle->setText(tr("Nothing to reconcile from %1 to %2")
                              .arg(m_from->date().toString(Qt::ISODate), m_to->date().toString(Qt::ISODate)));
    m_stack->setCurrentWidget(empty ? m_empty : m_stack->widget(0));
}

bool ReconciliationPage::isShowingEmptyState() const
{
    return m_stack->currentWidget() == m_empty;
}

void ReconciliationPage::saveKey(const QString &provider, QLineEdit *edit)
{
    const QByteArray key = edit->text().toUtf8();
    edit->clear(); // the key stays in the keychain only
    QCoro::connect(m_scheduler.adminSync().setAdminKey(provider, key), this, [this](const Async<void> &r) {
        m_status->setText(r ? tr("Admin key saved in the system keychain.") : r.error().message);
    });
}

void ReconciliationPage::syncNow()
{
    if (!m_scheduler.syncNow())
        m_status->setText(tr("A sync is already running."));
}

void ReconciliationPage::showSchedule()
{
    const int hours = m_scheduler.intervalHours();
    int index = m_interval->findData(hours);
    if (index < 0) { // a value set elsewhere (settings file): show it as its own entry
        m_interval->addItem(tr("Every %n hour(s)", nullptr, hours), hours);
        index = m_interval->count() - 1;
    }
    m_interval->setCurrentIndex(index);
    const qint64 last = m_scheduler.lastSyncUs();
    const QString lastText = last > 0 ? QLocale().toString(QDateTime::fromMSecsSinceEpoch(last / 1000), QLocale::ShortFormat)
                                      : tr("never");
    if (m_scheduler.isRunning())
        m_scheduleText->setText(tr("Last sync: %1 (running).").arg(lastText));
    else if (hours == 0)
        m_scheduleText->setText(tr("Last sync: %1.").arg(lastText));
    else
        m_scheduleText->setText(tr("Last sync: %1. Next: %2.")
                                    .arg(lastText, QLocale().toString(QDateTime::fromMSecsSinceEpoch(
                                                                          std::max(m_scheduler.nextDueUs(), last) / 1000),
                                                                      QLocale::ShortFormat)));
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
            self->showEmptyState(r->rows.isEmpty());
            const bool noReport = !r->rows.isEmpty() && r->unreportedRows == r->rows.size();
            self->m_totals->setText(
                (noReport ? tr("No provider report in this range: sync to compare what was billed. Recorded %1.").arg(formatUsd(r->recorded))
                          : tr("Billed %1, recorded %2, difference %3: outside the proxy %4, price differences %5, unpriced %6.")
                                .arg(formatUsd(r->billed), formatUsd(r->recorded), formatUsd(r->difference),
                                     formatUsd(r->outsideProxy), formatUsd(r->priceDifference), formatUsd(r->unpriced))
                                + (r->unreportedRows > 0
                                       ? u' '
                                             + tr("%n row(s) have no provider report: their recorded cost stands in for what was billed.",
                                                  nullptr, r->unreportedRows)
                                       : QString()))
                                        + (r->billedUnknownRows > 0
                                               ? u' '
                                                     + tr("%n row(s) with an unknown billed amount (a model the price book does not know) are not in these totals.",
                                                          nullptr, r->billedUnknownRows)
                                               : QString()));
        });
}

} // namespace tl
