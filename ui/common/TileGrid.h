#pragma once

#include <QWidget>

class QGridLayout;

namespace tl {

// A row of equal tiles (KPI tiles) that wraps into balanced rows when the row is narrower than the
// tiles need: 7 tiles become 4 + 3, 3 tiles become 2 + 1 or one a row. A tile needs the larger of its
// minimumSizeHint() width and the `tileWidth` given (device-independent pixels). minimumSizeHint() is
// one tile wide, so a parent layout can always shrink the grid without a horizontal scroll bar.
// GUI thread only.
class TileGrid final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TileGrid)

public:
    explicit TileGrid(int tileWidth, QWidget *parent = nullptr);
    void addTile(QWidget *tile);
    // Tiles per row as laid out now.
    int columns() const { return m_columns; }
    QSize minimumSizeHint() const override;

protected:
    bool event(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    int neededTileWidth() const;
    int columnsFor(int width) const;
    void arrange(int columns);
    void fitRowHeights(int width);

    QGridLayout *m_grid;
    QList<QWidget *> m_tiles;
    int m_tileWidth;
    int m_columns = 0;
};

} // namespace tl
