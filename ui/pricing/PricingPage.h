#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;

namespace tl {

class AliasesModel;
class Ledger;
class OverridesModel;
class PriceBookModel;
class Prompter;
class UnpricedModelsModel;
struct PriceOverride;

// The Pricing page: the built-in price book (searchable), the user's overrides (add, edit, remove),
// model aliases, the ledger's unpriced models with "Add price…", a Re-price history action with a
// result summary, and the cost calculator. Edits go through Ledger::setOverride/removeOverride/
// setAlias/removeAlias (persisted in the ledger file); the page refreshes on Ledger::pricingChanged.
// dataLoaded() is emitted once the unpriced-models query of the latest refresh has been applied.
// Thread affinity: GUI thread.
class PricingPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PricingPage)

public:
    PricingPage(Ledger &ledger, Prompter &prompter, QWidget *parent = nullptr);

    void refresh();
    Q_INVOKABLE bool isLoaded() const { return m_pending == 0 && m_loadedOnce; }

    // Opens the override dialog prefilled for `model` (the dashboard's "Add price…").
    void addPriceFor(const QString &provider, const QString &model);
    void addOverride();
    void editSelectedOverride();
    void removeSelectedOverride();
    void addAlias();
    void removeSelectedAlias();
    void repriceHistory();

    QTabWidget *tabs() const { return m_tabs; }
    QLineEdit *bookSearch() const { return m_search; }
    QTableView *bookTable() const { return m_bookTable; }
    QSortFilterProxyModel *bookProxy() const { return m_bookProxy; }
    QTableView *overridesTable() const { return m_overridesTable; }
    QTableView *aliasesTable() const { return m_aliasesTable; }
    QTableView *unpricedTable() const { return m_unpricedTable; }
    OverridesModel *overridesModel() const { return m_overrides; }
    AliasesModel *aliasesModel() const { return m_aliases; }
    UnpricedModelsModel *unpricedModel() const { return m_unpriced; }
    QLabel *repriceResult() const { return m_repriceResult; }
    // The "Cost calculator" tab. The composition root puts the CostCalculatorWidget there with
    // setCalculator() (it needs the app's tokenizers); until then the tab says it is not available.
    QWidget *calculatorSlot() const { return m_calculatorSlot; }
    void setCalculator(QWidget *calculator); // takes ownership

Q_SIGNALS:
    void dataLoaded();
    void repriceFinished(bool ok);

private:
    QWidget *buildBookTab();
    QWidget *buildOverridesTab();
    QWidget *buildAliasesTab();
    QWidget *buildUnpricedTab();
    QWidget *buildCalculatorTab();
    void openOverrideDialog(const PriceOverride &prefill);
    QStringList providerIds() const;
    QStringList modelIds() const;

    Ledger &m_ledger;
    Prompter &m_prompter;
    quint64 m_generation = 0;
    int m_pending = 0;
    bool m_loadedOnce = false;

    QTabWidget *m_tabs;
    PriceBookModel *m_book;
    QSortFilterProxyModel *m_bookProxy;
    QLineEdit *m_search = nullptr;
    QTableView *m_bookTable = nullptr;
    OverridesModel *m_overrides;
    QTableView *m_overridesTable = nullptr;
    AliasesModel *m_aliases;
    QTableView *m_aliasesTable = nullptr;
    UnpricedModelsModel *m_unpriced;
    QTableView *m_unpricedTable = nullptr;
    QLabel *m_bookInfo = nullptr;
    QPushButton *m_reprice = nullptr;
    QProgressBar *m_repriceProgress = nullptr;
    QLabel *m_repriceResult = nullptr;
    QWidget *m_calculatorSlot = nullptr;
};

} // namespace tl
