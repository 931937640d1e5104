#include "BreakdownPanel.h"

#include "BreakdownModel.h"
#include "common/CsvText.h"
#include "common/PrivateFile.h"
#include "common/Prompter.h"

#include <QAction>

#include <algorithm>
#include <QEvent>
#include <QClipboard>
#include <QComboBox>
#include "common/PrivateFile.h"

#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace tl {

BreakdownPanel::BreakdownPanel(BreakdownModel *model, Prompter &prompter, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_prompter(prompter)
    , m_proxy(new QSortFilterProxyModel(this))
    , m_table(new QTableView(this))
    , m_filter(new QLineEdit(this))
    , m_note(new QLabel(this))
    , m_title(new QLabel(this))
    , m_groupBy(new QComboBox(this))
    , m_labelKey(new QAction(tr("&Label this key…"), this))
{
    m_proxy->setSourceModel(model);
    m_proxy->setSortRole(BreakdownModel::SortRole);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);

    m_filter->setObjectName(u"breakdownFilter"_s);
    m_filter->setPlaceholderText(tr("Filter rows (endpoint, model…)"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);

    m_table->setObjectName(u"breakdownTable"_s);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(BreakdownModel::Cost, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(BreakdownModel::Endpoint, QHeaderView::Interactive);
    m_table->horizontalHeader()->setSectionResizeMode(BreakdownModel::Model, QHeaderView::Interactive);
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_fit.setSingleShot(true);
    m_fit.setInterval(0);
    connect(&m_fit, &QTimer::timeout, this, &BreakdownPanel::fitNameColumns);
    m_table->viewport()->installEventFilter(this);
    connect(m_proxy, &QAbstractItemModel::modelReset, &m_fit, qOverload<>(&QTimer::start));
    connect(m_proxy, &QAbstractItemModel::layoutChanged, &m_fit, qOverload<>(&QTimer::start));
    connect(m_proxy, &QAbstractItemModel::rowsInserted, &m_fit, qOverload<>(&QTimer::start));
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, &m_fit, qOverload<>(&QTimer::start));
    connect(this, &BreakdownPanel::columnsChanged, &m_fit, qOverload<>(&QTimer::start));
    m_table->setWordWrap(false);
    connect(m_table, &QTableView::clicked, this, [this](const QModelIndex &index) {
        // Plain clicks narrow; Ctrl/Shift clicks only extend the selection (for copying).
        if (QGuiApplication::keyboardModifiers() & (Qt::ControlModifier | Qt::ShiftModifier))
            return;
        Q_EMIT rowClicked(m_proxy->data(index, BreakdownModel::KeysRole).toStringList());
    });

    auto *copy = new QAction(tr("&Copy"), this);
    copy->setObjectName(u"breakdownCopyAction"_s);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(copy, &QAction::triggered, this, &BreakdownPanel::copySelection);
    m_table->addAction(copy);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);

    m_labelKey->setObjectName(u"labelKeyAction"_s);
    connect(m_labelKey, &QAction::triggered, this, &BreakdownPanel::requestLabelForCurrentRow);
    m_table->addAction(m_labelKey);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentChanged, this, &BreakdownPanel::updateForGrouping);
    connect(m_model, &QAbstractItemModel::modelReset, this, &BreakdownPanel::updateForGrouping);

    // Column chooser: the header's context menu.
    QHeaderView *header = m_table->horizontalHeader();
    header->setContextMenuPolicy(Qt::ActionsContextMenu);
    for (int c = 0; c < BreakdownModel::ColumnCount; ++c) {
        if (c == BreakdownModel::Endpoint || c == BreakdownModel::Model || c == BreakdownModel::Cost) {
            m_columnActions << nullptr;
            continue;
        }
        auto *toggle = new QAction(this);
        toggle->setObjectName(u"breakdownColumn%1"_s.arg(c));
        toggle->setCheckable(true);
        toggle->setChecked(true);
        connect(toggle, &QAction::toggled, this, [this, c](bool on) {
            m_table->setColumnHidden(c, !on);
            Q_EMIT columnsChanged(hiddenColumns());
        });
        header->addAction(toggle);
        m_columnActions << toggle;
    }
    auto retitle = [this] {
        for (int c = 0; c < m_columnActions.size(); ++c) {
            if (m_columnActions[c])
                m_columnActions[c]->setText(m_model->headerData(c, Qt::Horizontal).toString());
        }
    };
    retitle();
    connect(m_model, &QAbstractItemModel::modelReset, this, retitle);
    setHiddenColumns(defaultHiddenColumns());

    m_groupBy->setObjectName(u"breakdownGroupBy"_s);
    m_groupBy->addItem(tr("by endpoint and model"));
    m_groupBy->addItem(tr("by API key"));
    connect(m_groupBy, &QComboBox::currentIndexChanged, this, [this] {
        updateForGrouping();
        Q_EMIT groupByChanged(groupBy());
    });

    auto *copyButton = new QPushButton(tr("Co&py"), this);
    copyButton->setObjectName(u"breakdownCopy"_s);
    connect(copyButton, &QPushButton::clicked, this, &BreakdownPanel::copySelection);
    auto *exportButton = new QPushButton(tr("&Export CSV…"), this);
    exportButton->setObjectName(u"breakdownExport"_s);
    connect(exportButton, &QPushButton::clicked, this, &BreakdownPanel::exportWithPicker);

    m_note->setObjectName(u"breakdownNote"_s);
    m_note->setWordWrap(true); // the spend sources note is a sentence or two
    m_note->setForegroundRole(QPalette::PlaceholderText);
    m_note->setVisible(false);

    m_title->setText(tr("Breakdown"));
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    auto *bar = new QHBoxLayout;
    bar->addWidget(m_title);
    bar->addWidget(m_groupBy);
    bar->addStretch(1);
    bar->addWidget(m_filter, 2);
    bar->addWidget(copyButton);
    bar->addWidget(exportButton);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_note);
    layout->addWidget(m_table, 1);
}

bool BreakdownPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_table->viewport() && event->type() == QEvent::Resize)
        m_fit.start();
    return QWidget::eventFilter(watched, event);
}

void BreakdownPanel::fitNameColumns()
{
    QHeaderView *header = m_table->horizontalHeader();
    // What the other columns take (as ResizeToContents sizes them: the larger of contents and title).
    int others = 0;
    for (int c = 0; c < header->count(); ++c) {
        if (c != BreakdownModel::Endpoint && c != BreakdownModel::Model && !header->isSectionHidden(c))
            others += std::max(static_cast<QAbstractItemView *>(m_table)->sizeHintForColumn(c), header->sectionSizeHint(c));
    }
    const int room = m_table->viewport()->width() - others;
    int want[2], least[2];
    const int names[2] = {BreakdownModel::Endpoint, BreakdownModel::Model};
    for (int i = 0; i < 2; ++i) {
        least[i] = header->sectionSizeHint(names[i]);
        want[i] = std::max(static_cast<QAbstractItemView *>(m_table)->sizeHintForColumn(names[i]), least[i]);
    }
    int width[2] = {want[0], want[1]};
    const int spare = (want[0] - least[0]) + (want[1] - least[1]);
    if (want[0] + want[1] > room && spare > 0) {
        const int cut = std::min(spare, want[0] + want[1] - room);
        width[0] = want[0] - int(qint64(cut) * (want[0] - least[0]) / spare);
        width[1] = want[1] - (cut - (want[0] - width[0]));
    }
    for (int i = 0; i < 2; ++i)
        header->resizeSection(names[i], width[i]);
}

QList<Dimension> BreakdownPanel::groupBy() const
{
    return m_groupBy->currentIndex() == 1 ? QList<Dimension>{Dimension::Key}
                                          : QList<Dimension>{Dimension::Endpoint, Dimension::Model};
}

void BreakdownPanel::setGroupBy(const QList<Dimension> &dims)
{
    m_groupBy->setCurrentIndex(dims == QList<Dimension>{Dimension::Key} ? 1 : 0);
}

QList<int> BreakdownPanel::defaultHiddenColumns()
{
    // What is left fits the table's third of a 1440 px window: names, calls, prompt and completion tokens,
    // cost, p95 latency and share (looked at in English and Chinese, 100% and 200%).
    return {BreakdownModel::CachedTokens,    BreakdownModel::ReasoningTokens, BreakdownModel::CostPer1kCalls,
            BreakdownModel::AvgLatency,      BreakdownModel::CumulativeShare, BreakdownModel::UnpricedCalls,
            BreakdownModel::CostStatus};
}

QList<int> BreakdownPanel::hiddenColumns() const
{
    QList<int> hidden;
    for (int c = 0; c < BreakdownModel::ColumnCount; ++c) {
        if (m_table->isColumnHidden(c))
            hidden << c;
    }
    return hidden;
}

void BreakdownPanel::setHiddenColumns(const QList<int> &columns)
{
    for (int c = 0; c < m_columnActions.size(); ++c) {
        if (QAction *toggle = m_columnActions[c]) {
            const QSignalBlocker block(toggle);
            toggle->setChecked(!columns.contains(c));
            m_table->setColumnHidden(c, columns.contains(c));
        }
    }
}

QAction *BreakdownPanel::columnAction(int column) const
{
    return m_columnActions.value(column);
}

void BreakdownPanel::addTableAction(QAction *action)
{
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_table->addAction(action);
}

void BreakdownPanel::updateForGrouping()
{
    const QModelIndex current = m_table->currentIndex();
    const QString keyId = current.isValid() ? m_proxy->data(current, BreakdownModel::KeyIdRole).toString() : QString();
    m_labelKey->setVisible(m_model->groupedByKey());
    m_labelKey->setEnabled(m_model->groupedByKey() && !keyId.isEmpty());
}

void BreakdownPanel::requestLabelForCurrentRow()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid() || !m_model->groupedByKey())
        return;
    const QString keyId = m_proxy->data(current, BreakdownModel::KeyIdRole).toString();
    if (keyId.isEmpty())
        return;
    Q_EMIT labelKeyRequested(keyId, m_proxy->data(current, BreakdownModel::KeyLabelRole).toString());
}

void BreakdownPanel::setNote(const QString &note)
{
    m_note->setText(note);
    m_note->setVisible(!note.isEmpty());
}

QList<int> BreakdownPanel::visibleSourceRows(bool selectedOnly) const
{
    QList<int> rows;
    if (selectedOnly) {
        QModelIndexList selected = m_table->selectionModel()->selectedRows();
        std::sort(selected.begin(), selected.end(),
                  [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
        for (const QModelIndex &i : selected)
            rows << m_proxy->mapToSource(i).row();
        if (!rows.isEmpty())
            return rows;
    }
    for (int r = 0; r < m_proxy->rowCount(); ++r)
        rows << m_proxy->mapToSource(m_proxy->index(r, 0)).row();
    return rows;
}

QString BreakdownPanel::selectionText() const
{
    QString text;
    const auto rows = m_model->csvRows(visibleSourceRows(true), false);
    for (const QStringList &row : rows)
        text += row.join(u'\t') + u'\n';
    return text;
}

void BreakdownPanel::copySelection()
{
    QGuiApplication::clipboard()->setText(selectionText());
}

bool BreakdownPanel::exportCsv(const QString &path, QString *error) const
{
    const bool existed = QFileInfo::exists(path);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || (!existed && !restrictToOwner(file))) { // spend data: 0600, as the ledger
        *error = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    file.write(CsvText::table(m_model->csvRows(visibleSourceRows(false), true)).toUtf8());
    if (!file.commit()) {
        *error = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

void BreakdownPanel::exportWithPicker()
{
    const QString path = m_prompter.saveFileName(this, tr("Export breakdown"), u"breakdown.csv"_s,
                                                 tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportCsv(path, &error))
        m_prompter.warning(this, tr("Export breakdown"), error);
}

} // namespace tl
