# accuracy vs energy per inference of every evaluated candidate (myelin search)
set terminal svg size 860,440 dynamic
set output 'search_rgb32_greedy_acc_vs_energy.svg'
set title 'greedy search on fashion-rgb32 (generic-45nm): validation top-1 vs energy per inference'
set encoding utf8
set grid
set key below horizontal maxrows 2
set xlabel 'energy per inference (µJ)'
set ylabel 'validation top-1 (%)'
set xrange [3.58647:33.7362]
set yrange [78.70:84.80]
plot 'search_rgb32_greedy_acc_vs_energy.dat' index 0 using 1:2 with points pt 7 ps 0.5 title 'candidates', '' index 1 using 1:2 with linespoints pt 6 title 'Pareto front', '' index 2 using 1:2 with points pt 5 ps 1.5 title 'chosen', 83.8000 with lines dt 2 lc rgb 'black' title 'float (83.80 %)', 82.3000 with lines dt 3 lc rgb 'red' title 'constraint (-1.5 points)'
