# accuracy vs parameter memory of every evaluated candidate (myelin search)
set terminal svg size 860,440 dynamic
set output 'search_greedy_acc_vs_memory.svg'
set title 'greedy search on fashion: validation top-1 vs parameter memory'
set encoding utf8
set grid
set key below horizontal maxrows 2
set xlabel 'parameter memory (kB)'
set ylabel 'validation top-1 (%)'
set logscale x
set xrange [34.0748:519.92]
set yrange [81.10:90.70]
plot 'search_greedy_acc_vs_memory.dat' index 0 using 1:2 with points pt 7 ps 0.5 title 'candidates', '' index 1 using 1:2 with linespoints pt 6 title 'Pareto front', '' index 2 using 1:2 with points pt 5 ps 1.5 title 'chosen', 89.7000 with lines dt 2 lc rgb 'black' title 'float (89.70 %)', 88.2000 with lines dt 3 lc rgb 'red' title 'constraint (-1.5 points)'
