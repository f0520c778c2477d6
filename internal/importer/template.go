package importer

import (
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// Template writes the template workbook: a sheet per kind with its
// headers and one example row (the examples name each other and the demo
// data, so the template imports as it is), and a notes sheet that
// explains each column in Korean and English. Excelize writes it: it is
// small, and this is the one workbook the server composes whole.
func Template(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": cells stay text (keys, dates, codes)
	if err != nil {
		return err
	}
	for i, k := range Kinds {
		name := string(k)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		s := sheets[k]
		header, example := make([]any, len(s.columns)), make([]any, len(s.columns))
		for j, c := range s.columns {
			header[j], example[j] = c.name, c.example
		}
		last, _ := excelize.CoordinatesToCellName(len(s.columns), 2)
		if err := f.SetCellStyle(name, "A2", last, text); err != nil {
			return err
		}
		if err := f.SetSheetRow(name, "A1", &header); err != nil {
			return err
		}
		if err := f.SetSheetRow(name, "A2", &example); err != nil {
			return err
		}
		end, _ := excelize.CoordinatesToCellName(len(s.columns), 1)
		if err := f.SetCellStyle(name, "A1", end, bold); err != nil {
			return err
		}
		if err := f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		colEnd, _ := excelize.ColumnNumberToName(len(s.columns))
		if err := f.SetColWidth(name, "A", colEnd, 22); err != nil {
			return err
		}
	}
	const notes = "notes"
	if _, err := f.NewSheet(notes); err != nil {
		return err
	}
	rows := [][]any{
		{"sheet / 시트", "column / 열", "required / 필수", "설명", "description"},
		{"", "", "", "시트마다 한 종류의 행입니다(CSV는 파일마다 한 종류, 파일 이름이 종류: market-targets.csv). 행은 ID가 아니라 키로 서로와 기존 노드를 가리킵니다. 같은 파일을 두 번 가져와도 두 번째에는 아무것도 바뀌지 않습니다. 문제가 하나라도 있으면 아무것도 쓰지 않고 모든 문제를 보고합니다. 열이 없으면 기존 값은 그대로이고, 빈 칸은 값을 지웁니다(기본값이 있는 열은 기본값).",
			"One kind of row per sheet (for CSV, one kind per file, named after it: market-targets.csv). Rows name each other and existing nodes by key, never by id. Importing the same file twice changes nothing the second time. A file with any problem writes nothing, and every problem is reported. A column left out keeps existing values; an empty cell clears one (or sets the column's default)."},
	}
	for _, k := range Kinds {
		for _, c := range sheets[k].columns {
			req := ""
			if c.required {
				req = "yes / 예"
			}
			rows = append(rows, []any{string(k), c.name, req, c.ko, c.en})
		}
	}
	for i, r := range rows {
		if err := f.SetSheetRow(notes, "A"+strconv.Itoa(i+1), &r); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(notes, "A1", "E1", bold); err != nil {
		return err
	}
	if err := f.SetColWidth(notes, "A", "C", 18); err != nil {
		return err
	}
	if err := f.SetColWidth(notes, "D", "E", 80); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	return f.Write(w)
}
