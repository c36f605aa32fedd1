# weight bits per layer of the chosen setting (float drawn as 32); colour: 1 uniform,
# 2 power-of-two, 3 float (column 5)
set terminal svg size 860,360 dynamic
set output 'search_beam_ungated_layer_bits.svg'
set title 'beam search: weight bits of the chosen setting (purple uniform, green power-of-two, blue float)'
set ylabel 'weight bits'
set style fill solid 0.8 border -1
set boxwidth 0.8
set xtics rotate by 35 right font ',8'
set ytics 1
set yrange [0:*]
set grid y
unset key
plot 'search_beam_ungated_layer_bits.dat' using 0:2:5:xtic(1) with boxes lc variable, '' using 0:($2 + 0.4):3 with labels font ',8'
