# memory vs weight bits for the zoo (myelin cost --tables)
set terminal svg size 860,440 dynamic
set output 'memory_vs_bits.svg'
set title 'Parameter memory vs weight bits (scales included)'
set xlabel 'weight bits'
set ylabel 'memory (MB)'
set logscale y
set key outside right
set xtics ('2' 2, '4' 4, '8' 8, 'float' 32)
set logscale x 2
set grid
plot for [i=0:4] 'memory_vs_bits.dat' index i using 1:2 with linespoints title columnheader(1)
