# accuracy vs parameter memory of every evaluated candidate (myelin search)
set terminal svg size 860,480 dynamic
set output 'search_hetero_acc_vs_memory.svg'
set title 'hetero search on fashion: validation top-1 vs parameter memory'
set xlabel 'parameter memory (kB)'
set ylabel 'validation top-1 (%)'
set logscale x
set grid
set key bottom right
set yrange [78.7:90.7]
plot 'search_hetero_acc_vs_memory.dat' index 0 using 1:2 with points pt 7 ps 0.5 title 'candidates', '' index 1 using 1:2 with linespoints pt 6 title 'Pareto front', '' index 2 using 1:2 with points pt 5 ps 1.5 title 'chosen'
