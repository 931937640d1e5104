#include "BreakdownPanel.h"

#include "BreakdownModel.h"
#include "common/CsvText.h"
#include "common/Prompter.h"

#include <QAction>
#include <QClipboard>
#include <QFile>
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
    m_table->horizontalHeader()->setStretchLastSection(false);
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

    auto *copyButton = new QPushButton(tr("Copy"), this);
    copyButton->setObjectName(u"breakdownCopy"_s);
    connect(copyButton, &QPushButton::clicked, this, &BreakdownPanel::copySelection);
    auto *exportButton = new QPushButton(tr("Export CSV…"), this);
    exportButton->setObjectName(u"breakdownExport"_s);
    connect(exportButton, &QPushButton::clicked, this, &BreakdownPanel::exportWithPicker);

    m_note->setObjectName(u"breakdownNote"_s);
    m_note->setForegroundRole(QPalette::PlaceholderText);
    m_note->setVisible(false);

    auto *title = new QLabel(tr("Breakdown by endpoint and model"), this);
    QFont bold = title->font();
    bold.setBold(true);
    title->setFont(bold);
    auto *bar = new QHBoxLayout;
    bar->addWidget(title);
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
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
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
