"""CSV管理 formats and the streaming CSV export behind CSV一括出力 / アンケート結果CSV一括出力."""
