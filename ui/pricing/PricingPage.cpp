#include "PricingPage.h"

#include "PriceBookModel.h"
#include "common/FutureGuard.h"
#include "PricingTableModels.h"
#include "common/Format.h"
#include "common/Prompter.h"
#include "dialogs/AliasDialog.h"
#include "dialogs/OverrideDialog.h"
#include "ledger/Ledger.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace tl {

namespace {
QTableView *makeTable(QAbstractItemModel *model, const QString &name, QWidget *parent, int sortRole)
{
    auto *proxy = new QSortFilterProxyModel(parent);
    proxy->setSourceModel(model);
    proxy->setSortRole(sortRole);
    auto *table = new QTableView(parent);
    table->setObjectName(name);
    table->setModel(proxy);
    table->setSortingEnabled(true);
    table->sortByColumn(-1, Qt::AscendingOrder);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setAlternatingRowColors(true);
    table->verticalHeader()->setVisible(false);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table->horizontalHeader()->setStretchLastSection(true);
    table->setWordWrap(false);
    return table;
}

int selectedSourceRow(QTableView *table)
{
    const QModelIndexList rows = table->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return -1;
    auto *proxy = static_cast<QSortFilterProxyModel *>(table->model());
    return proxy->mapToSource(rows.first()).row();
}
} // namespace

PricingPage::PricingPage(Ledger &ledger, Prompter &prompter, QWidget *parent)
    : QWidget(parent)
    , m_ledger(ledger)
    , m_prompter(prompter)
    , m_tabs(new QTabWidget(this))
    , m_book(new PriceBookModel(ledger.pricer()->bookPtr(), this))
    , m_bookProxy(new QSortFilterProxyModel(this))
    , m_overrides(new OverridesModel(this))
    , m_aliases(new AliasesModel(this))
    , m_unpriced(new UnpricedModelsModel(this))
{
    setObjectName(u"pricingPage"_s);
    m_tabs->setObjectName(u"pricingTabs"_s);
    m_tabs->addTab(buildBookTab(), tr("Price book"));
    m_tabs->addTab(buildOverridesTab(), tr("Your prices"));
    m_tabs->addTab(buildAliasesTab(), tr("Aliases"));
    m_tabs->addTab(buildUnpricedTab(), tr("Unpriced models"));
    m_tabs->addTab(buildCalculatorTab(), tr("Cost calculator"));

    const auto book = m_ledger.pricer()->bookPtr();
    m_bookInfo = new QLabel(tr("Price book %1 (pydantic/genai-prices, MIT licence) with %n model(s).", nullptr,
                               m_book->rowCount())
                                .arg(book->version()),
                            this);
    m_bookInfo->setObjectName(u"bookInfo"_s);
    m_reprice = new QPushButton(tr("&Re-price history…"), this);
    m_reprice->setObjectName(u"repriceButton"_s);
    m_reprice->setToolTip(tr("Recompute the cost of every call in the ledger with the price book and your prices"));
    connect(m_reprice, &QPushButton::clicked, this, &PricingPage::repriceHistory);
    m_repriceProgress = new QProgressBar(this);
    m_repriceProgress->setObjectName(u"repriceProgress"_s);
    m_repriceProgress->setRange(0, 0); // busy: the re-pricer runs as one transaction
    m_repriceProgress->setMaximumWidth(200);
    m_repriceProgress->setVisible(false);
    m_repriceResult = new QLabel(this);
    m_repriceResult->setObjectName(u"repriceResult"_s);
    m_repriceResult->setWordWrap(true);

    auto *header = new QHBoxLayout;
    header->addWidget(m_bookInfo, 1);
    header->addWidget(m_repriceProgress);
    header->addWidget(m_reprice);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(header);
    layout->addWidget(m_repriceResult);
    layout->addWidget(m_tabs, 1);
    m_repriceResult->setVisible(false);

    connect(&m_ledger, &Ledger::pricingChanged, this, &PricingPage::refresh);
    connect(&m_ledger, &Ledger::recordsAdded, this, &PricingPage::refresh);
    refresh();
}

QWidget *PricingPage::buildBookTab()
{
    auto *tab = new QWidget;
    m_bookProxy->setSourceModel(m_book);
    m_bookProxy->setSortRole(PriceBookModel::SortRole);
    m_bookProxy->setFilterKeyColumn(-1);
    m_bookProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_search = new QLineEdit(tab);
    m_search->setObjectName(u"bookSearch"_s);
    m_search->setPlaceholderText(tr("Search provider or model, e.g. gpt-4o or claude"));
    m_search->setClearButtonEnabled(true);
    connect(m_search, &QLineEdit::textChanged, m_bookProxy, &QSortFilterProxyModel::setFilterFixedString);
    m_bookTable = new QTableView(tab);
    m_bookTable->setObjectName(u"bookTable"_s);
    m_bookTable->setModel(m_bookProxy);
    m_bookTable->setSortingEnabled(true);
    m_bookTable->sortByColumn(-1, Qt::AscendingOrder);
    m_bookTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_bookTable->setAlternatingRowColors(true);
    m_bookTable->verticalHeader()->setVisible(false);
    m_bookTable->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_bookTable->horizontalHeader()->setStretchLastSection(true);
    m_bookTable->setWordWrap(false);
    // ResizeToContents over ~1,700 rows is slow; size from the header and a sample instead.
    m_bookTable->resizeColumnsToContents();
    const int maxModelWidth = m_bookTable->fontMetrics().horizontalAdvance(u"claude-3-5-sonnet-20241022-extended"_s);
    m_bookTable->setColumnWidth(PriceBookModel::Model,
                                std::min(m_bookTable->columnWidth(PriceBookModel::Model), maxModelWidth));
    auto *override = new QPushButton(tr("Override selected price…"), tab);
    override->setObjectName(u"bookOverride"_s);
    connect(override, &QPushButton::clicked, this, [this] {
        const QModelIndexList rows = m_bookTable->selectionModel()->selectedRows();
        if (rows.isEmpty())
            return;
        const QModelIndex src = m_bookProxy->mapToSource(rows.first());
        const QString providerId = m_book->data(src, PriceBookModel::ProviderIdRole).toString();
        const QString modelId = m_book->data(src, PriceBookModel::ModelIdRole).toString();
        PriceOverride o;
        o.provider = providerId;
        o.model = modelId;
        if (const ProviderEntry *p = m_ledger.pricer()->book().provider(providerId)) {
            for (const ModelEntry &m : p->models) {
                if (m.id == modelId && !m.variants.isEmpty())
                    o.prices = m.variants.first().prices;
            }
        }
        openOverrideDialog(o);
    });
    auto *bar = new QHBoxLayout;
    bar->addWidget(m_search, 1);
    bar->addWidget(override);
    auto *layout = new QVBoxLayout(tab);
    layout->addLayout(bar);
    layout->addWidget(m_bookTable, 1);
    return tab;
}

QWidget *PricingPage::buildOverridesTab()
{
    auto *tab = new QWidget;
    m_overridesTable = makeTable(m_overrides, u"overridesTable"_s, tab, OverridesModel::SortRole);
    auto *add = new QPushButton(tr("&Add…"), tab);
    add->setObjectName(u"overrideAdd"_s);
    auto *edit = new QPushButton(tr("&Edit…"), tab);
    edit->setObjectName(u"overrideEdit"_s);
    auto *remove = new QPushButton(tr("Re&move"), tab);
    remove->setObjectName(u"overrideRemove"_s);
    connect(add, &QPushButton::clicked, this, &PricingPage::addOverride);
    connect(edit, &QPushButton::clicked, this, &PricingPage::editSelectedOverride);
    connect(remove, &QPushButton::clicked, this, &PricingPage::removeSelectedOverride);
    connect(m_overridesTable, &QTableView::doubleClicked, this, &PricingPage::editSelectedOverride);
    auto *note = new QLabel(tr("Your prices win over the price book. They apply to new calls at once; use "
                               "Re-price history to apply them to calls already in the ledger."),
                            tab);
    note->setWordWrap(true);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(add);
    buttons->addWidget(edit);
    buttons->addWidget(remove);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(tab);
    layout->addWidget(note);
    layout->addLayout(buttons);
    layout->addWidget(m_overridesTable, 1);
    return tab;
}

QWidget *PricingPage::buildAliasesTab()
{
    auto *tab = new QWidget;
    m_aliasesTable = makeTable(m_aliases, u"aliasesTable"_s, tab, AliasesModel::SortRole);
    auto *add = new QPushButton(tr("&Add alias…"), tab);
    add->setObjectName(u"aliasAdd"_s);
    auto *remove = new QPushButton(tr("Re&move"), tab);
    remove->setObjectName(u"aliasRemove"_s);
    connect(add, &QPushButton::clicked, this, &PricingPage::addAlias);
    connect(remove, &QPushButton::clicked, this, &PricingPage::removeSelectedAlias);
    auto *note = new QLabel(tr("An alias prices a name your API reports (for example an Azure deployment name) "
                               "as a model of the price book."),
                            tab);
    note->setWordWrap(true);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(add);
    buttons->addWidget(remove);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(tab);
    layout->addWidget(note);
    layout->addLayout(buttons);
    layout->addWidget(m_aliasesTable, 1);
    return tab;
}

QWidget *PricingPage::buildUnpricedTab()
{
    auto *tab = new QWidget;
    m_unpricedTable = makeTable(m_unpriced, u"unpricedTable"_s, tab, UnpricedModelsModel::SortRole);
    auto *add = new QPushButton(tr("Add &price…"), tab);
    add->setObjectName(u"unpricedAddPrice"_s);
    auto *alias = new QPushButton(tr("Map to a &known model…"), tab);
    alias->setObjectName(u"unpricedAlias"_s);
    connect(add, &QPushButton::clicked, this, [this] {
        const int row = selectedSourceRow(m_unpricedTable);
        if (row >= 0)
            addPriceFor(m_unpriced->at(row).provider, m_unpriced->at(row).model);
        else if (m_unpriced->rowCount() > 0)
            addPriceFor(m_unpriced->at(0).provider, m_unpriced->at(0).model);
    });
    connect(alias, &QPushButton::clicked, this, [this] {
        const int row = selectedSourceRow(m_unpricedTable);
        auto *dialog = new AliasDialog(providerIds(), modelIds(), this);
        if (row >= 0)
            dialog->setAlias({m_unpriced->at(row).model, m_unpriced->at(row).provider, QString()});
        connect(dialog, &QDialog::accepted, this, [this, dialog] {
            continueOn(m_ledger.setAlias(dialog->result()), this, [this](Result<void> r) {
                if (!r)
                    m_prompter.warning(this, tr("Model alias"), r.error().message);
            });
        });
        m_prompter.showDialog(dialog);
    });
    auto *note = new QLabel(tr("Calls to these models have no known cost: they are counted, never priced at $0. "
                               "Add a price, or map the name to a model of the price book."),
                            tab);
    note->setWordWrap(true);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(add);
    buttons->addWidget(alias);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(tab);
    layout->addWidget(note);
    layout->addLayout(buttons);
    layout->addWidget(m_unpricedTable, 1);
    return tab;
}

QWidget *PricingPage::buildCalculatorTab()
{
    // Holds the tokenizer-based CostCalculatorWidget once the composition root sets it.
    m_calculatorSlot = new QWidget;
    m_calculatorSlot->setObjectName(u"costCalculatorSlot"_s);
    auto *layout = new QVBoxLayout(m_calculatorSlot);
    auto *label = new QLabel(tr("The cost calculator (count the tokens of a prompt and price it with any model) "
                                "is not part of this build yet."),
                             m_calculatorSlot);
    label->setWordWrap(true);
    label->setAlignment(Qt::AlignCenter);
    layout->addWidget(label);
    return m_calculatorSlot;
}

void PricingPage::setCalculator(QWidget *calculator)
{
    QLayout *layout = m_calculatorSlot->layout();
    while (QLayoutItem *item = layout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    layout->addWidget(calculator);
}

void PricingPage::refresh()
{
    const auto pricer = m_ledger.pricer();
    m_overrides->setOverrides(pricer->overrides());
    m_aliases->setAliases(pricer->aliases());
    const quint64 generation = ++m_generation;
    m_pending = 1;
    m_ledger.unpricedModels(0, std::numeric_limits<qint64>::max())
        .then(this, [this, generation](Result<QList<UnpricedModel>> models) {
            if (generation != m_generation)
                return;
            m_unpriced->setModels(models ? *models : QList<UnpricedModel>{});
            const int n = m_unpriced->rowCount();
            m_tabs->setTabText(3, n > 0 ? tr("Unpriced models (%1)").arg(n) : tr("Unpriced models"));
            m_pending = 0;
            m_loadedOnce = true;
            Q_EMIT dataLoaded();
        });
}

QStringList PricingPage::providerIds() const
{
    QStringList ids;
    for (const ProviderEntry &p : m_ledger.pricer()->book().providers())
        ids << p.id;
    return ids;
}

QStringList PricingPage::modelIds() const
{
    QStringList ids;
    for (const ProviderEntry &p : m_ledger.pricer()->book().providers()) {
        for (const ModelEntry &m : p.models)
            ids << m.id;
    }
    ids.removeDuplicates();
    ids.sort();
    return ids;
}

void PricingPage::openOverrideDialog(const PriceOverride &prefill)
{
    auto *dialog = new OverrideDialog(providerIds(), this);
    dialog->setOverride(prefill);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        continueOn(m_ledger.setOverride(dialog->result()), this, [this](Result<void> r) {
            if (!r)
                m_prompter.warning(this, tr("Price override"), r.error().message);
        });
    });
    m_prompter.showDialog(dialog);
}

void PricingPage::addPriceFor(const QString &provider, const QString &model)
{
    m_tabs->setCurrentIndex(1);
    PriceOverride o;
    o.provider = provider;
    o.model = model;
    openOverrideDialog(o);
}

void PricingPage::addOverride()
{
    openOverrideDialog(PriceOverride{});
}

void PricingPage::editSelectedOverride()
{
    const int row = selectedSourceRow(m_overridesTable);
    if (row >= 0)
        openOverrideDialog(m_overrides->at(row));
}

void PricingPage::removeSelectedOverride()
{
    const int row = selectedSourceRow(m_overridesTable);
    if (row < 0)
        return;
    const PriceOverride o = m_overrides->at(row);
    if (!m_prompter.confirm(this, tr("Remove price"), tr("Remove your price for %1? New calls then use the price book.")
                                                         .arg(o.model)))
        return;
    continueOn(m_ledger.removeOverride(o.provider, o.model), this, [this](Result<void> r) {
        if (!r)
            m_prompter.warning(this, tr("Remove price"), r.error().message);
    });
}

void PricingPage::addAlias()
{
    auto *dialog = new AliasDialog(providerIds(), modelIds(), this);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        continueOn(m_ledger.setAlias(dialog->result()), this, [this](Result<void> r) {
            if (!r)
                m_prompter.warning(this, tr("Model alias"), r.error().message);
        });
    });
    m_prompter.showDialog(dialog);
}

void PricingPage::removeSelectedAlias()
{
    const int row = selectedSourceRow(m_aliasesTable);
    if (row < 0)
        return;
    continueOn(m_ledger.removeAlias(m_aliases->at(row).alias), this, [this](Result<void> r) {
        if (!r)
            m_prompter.warning(this, tr("Model alias"), r.error().message);
    });
}

void PricingPage::repriceHistory()
{
    if (!m_prompter.confirm(this, tr("Re-price history"),
                            tr("Recompute the cost of every call in the ledger with the current price book and "
                               "your prices? The dashboard will say when figures were re-priced.")))
        return;
    m_reprice->setEnabled(false);
    m_repriceProgress->setVisible(true);
    m_repriceResult->setText(tr("Re-pricing…"));
    m_repriceResult->setVisible(true);
    continueOn(m_ledger.reprice(), this, [this](Result<RepriceReport> r) {
        m_reprice->setEnabled(true);
        m_repriceProgress->setVisible(false);
        if (!r) {
            m_repriceResult->setText(tr("Re-pricing failed; nothing was changed: %1").arg(r.error().message));
            Q_EMIT repriceFinished(false);
            return;
        }
        m_repriceResult->setText(tr("Re-priced %1 calls with %2: %3 changed; total cost %4 → %5.")
                                     .arg(Format::count(r->calls), r->priceVersion, Format::count(r->changed),
                                          Format::usd(r->costBefore), Format::usd(r->costAfter)));
        Q_EMIT repriceFinished(true);
    });
}

} // namespace tl
