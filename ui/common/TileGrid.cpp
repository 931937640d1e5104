#include "TileGrid.h"

#include <QEvent>
#include <QGridLayout>
#include <QResizeEvent>

#include <algorithm>

namespace tl {

TileGrid::TileGrid(int tileWidth, QWidget *parent)
    : QWidget(parent)
    , m_grid(new QGridLayout(this))
    , m_tileWidth(tileWidth)
{
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_grid->setSpacing(8);
}

void TileGrid::addTile(QWidget *tile)
{
    m_tiles << tile;
    m_columns = 0; // placed again below, all in one row until the grid knows its width
    arrange(isVisible() ? columnsFor(width()) : int(m_tiles.size()));
}

QSize TileGrid::minimumSizeHint() const
{
    return {neededTileWidth(), QWidget::minimumSizeHint().height()};
}

bool TileGrid::event(QEvent *event)
{
    // A tile that grew (a longer value, a button shown) may no longer fit the columns chosen at the last resize.
    if (event->type() == QEvent::LayoutRequest && isVisible())
        arrange(columnsFor(width()));
    return QWidget::event(event);
}

void TileGrid::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    arrange(columnsFor(event->size().width()));
    fitRowHeights(event->size().width());
}

void TileGrid::fitRowHeights(int width)
{
    // A tile's wrapped caption and detail take more lines in a narrower column than the grid's own minimum
    // height allows for: each row is as high as its highest tile at the column's width.
    if (m_columns <= 0)
        return;
    const int spacing = std::max(0, m_grid->horizontalSpacing());
    const int columnWidth = (width - (m_columns - 1) * spacing) / m_columns;
    const int rows = int(m_tiles.size() + m_columns - 1) / m_columns;
    for (int r = 0; r < std::max(rows, m_grid->rowCount()); ++r) {
        int height = 0;
        for (int c = 0; r < rows && c < m_columns && r * m_columns + c < m_tiles.size(); ++c) {
            const QWidget *tile = m_tiles.at(r * m_columns + c);
            height = std::max(height, tile->hasHeightForWidth() ? tile->heightForWidth(columnWidth)
                                                                : tile->minimumSizeHint().height());
        }
        if (m_grid->rowMinimumHeight(r) != height) // setting it again would ask for another layout pass
            m_grid->setRowMinimumHeight(r, height);
    }
}

int TileGrid::neededTileWidth() const
{
    int need = m_tileWidth;
    for (const QWidget *tile : m_tiles)
        need = std::max(need, tile->minimumSizeHint().width());
    return need;
}

int TileGrid::columnsFor(int width) const
{
    const int n = int(m_tiles.size());
    if (n == 0)
        return 0;
    const int spacing = std::max(0, m_grid->horizontalSpacing());
    const int fit = std::clamp((width + spacing) / (neededTileWidth() + spacing), 1, n);
    // Balanced rows: 7 tiles that fit 5 a row are laid out 4 + 3, not 5 + 2.
    const int rows = (n + fit - 1) / fit;
    return (n + rows - 1) / rows;
}

void TileGrid::arrange(int columns)
{
    if (columns == m_columns || columns <= 0)
        return;
    for (QWidget *tile : std::as_const(m_tiles))
        m_grid->removeWidget(tile);
    for (int c = 0; c < m_grid->columnCount(); ++c)
        m_grid->setColumnStretch(c, 0); // an empty column with a stretch would still take its share
    for (int i = 0; i < m_tiles.size(); ++i)
        m_grid->addWidget(m_tiles.at(i), i / columns, i % columns);
    for (int c = 0; c < columns; ++c)
        m_grid->setColumnStretch(c, 1);
    m_columns = columns;
    updateGeometry();
}

} // namespace tl
